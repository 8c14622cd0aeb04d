import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { Public, Tenant, ZodPipe } from '@cloudillo/http';
import { forwardedClientAddress } from '@cloudillo/rate-limit';
import { type TenantContext } from '@cloudillo/tenancy';
import { type Request } from 'express';
import { z } from 'zod';

import { InboxService } from './inbox.service';

const syncBody = z.object({ token: z.string().min(1) });

/** `POST /api/inbox/sync`; `POST /api/inbox` itself is a fast route (`inbox.route.ts`). */
@Controller('api/inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  /** The registrar waits for the IdP's answer: verified and handled inline (IDP:REG). */
  @Post('sync')
  @Public()
  @HttpCode(200)
  sync(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(syncBody)) body: z.output<typeof syncBody>,
    @Req() req: Request,
  ): Promise<unknown> {
    return this.inbox.receiveSync(tenant, body.token, forwardedClientAddress(req));
  }
}
