import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { Authenticated, Public, Tenant, ZodPipe } from '@cloudillo/http';
import { UnauthorizedError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';
import { forwardedClientAddress } from '@cloudillo/rate-limit';
import { type Request } from 'express';
import { z } from 'zod';

import { type LoginResult } from '../login/login.service';
import { QrLoginService } from './qr-login.service';

const sessionParam = new ZodPipe(z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a QR login id'));
/** What the upstream client sends (`respondQrLogin`): `{approved}`. */
const respondBody = z.object({ approved: z.boolean() }).strict();
const statusQuery = z.object({ wait: z.coerce.number().int().min(0).max(15_000).optional() });

/** `/api/auth/qr-login/*` (protocol §8.1). */
@Controller('api/auth/qr-login')
export class QrLoginController {
  constructor(private readonly qr: QrLoginService) {}

  @Post('init')
  @Public()
  @HttpCode(200)
  init(
    @Tenant() tenant: TenantContext,
    @Req() req: Request,
  ): Promise<{ sessionId: string; secret: string }> {
    const userAgent = req.headers['user-agent']?.slice(0, 300);
    return this.qr.init(tenant, {
      ...(userAgent ? { userAgent } : {}),
      ipAddress: forwardedClientAddress(req),
    });
  }

  @Get(':sessionId/status')
  @Public()
  async status(
    @Tenant() tenant: TenantContext,
    @Param('sessionId', sessionParam) sessionId: string,
    @Headers('x-qr-secret') secret: string | undefined,
    @Query(new ZodPipe(statusQuery)) query: z.output<typeof statusQuery>,
  ): Promise<{ status: string; login?: LoginResult }> {
    if (!secret) throw new UnauthorizedError('x-qr-secret is required');
    return this.qr.status(tenant, sessionId, secret, query.wait);
  }

  // Only the tenant's own user sees and approves logins.
  @Get(':sessionId/details')
  @Authenticated({ role: 'leader', owner: true })
  details(@Tenant() tenant: TenantContext, @Param('sessionId', sessionParam) sessionId: string) {
    return this.qr.details(tenant, sessionId);
  }

  @Post(':sessionId/respond')
  @Authenticated({ role: 'leader', owner: true })
  @HttpCode(200)
  respond(
    @Tenant() tenant: TenantContext,
    @Param('sessionId', sessionParam) sessionId: string,
    @Body(new ZodPipe(respondBody)) body: z.output<typeof respondBody>,
  ): Promise<{ status: string }> {
    return this.qr.respond(tenant, sessionId, body.approved);
  }
}
