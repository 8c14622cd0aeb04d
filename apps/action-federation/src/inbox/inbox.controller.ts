import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTenant, Public, ZodPipe } from '@cloudillo/http';
import { type IdTag } from '@cloudillo/protocol';
import { forwardedClientAddress } from '@cloudillo/rate-limit';
import { type Request } from 'express';
import { z } from 'zod';

import { InboxService } from './inbox.service';

const inboxBody = z.object({
  token: z.string().min(1),
  related: z.array(z.string().min(1)).max(16).optional(),
});

const syncBody = z.object({ token: z.string().min(1) });

@Controller('api/inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  /** Public, rate-limited at the edge (federation bucket); 201 once the token is durably queued. */
  @Post()
  @Public()
  @HttpCode(201)
  async receive(
    @ApiTenant() tenant: IdTag,
    @Body(new ZodPipe(inboxBody)) body: z.output<typeof inboxBody>,
    @Req() req: Request,
  ): Promise<{ actionId: string }> {
    return this.inbox.receive(tenant.ascii, body.token, body.related, forwardedClientAddress(req));
  }

  /** The registrar waits for the IdP's answer: verified and handled inline (IDP:REG). */
  @Post('sync')
  @Public()
  @HttpCode(200)
  sync(
    @ApiTenant() tenant: IdTag,
    @Body(new ZodPipe(syncBody)) body: z.output<typeof syncBody>,
    @Req() req: Request,
  ): Promise<unknown> {
    return this.inbox.receiveSync(tenant.ascii, body.token, forwardedClientAddress(req));
  }
}
