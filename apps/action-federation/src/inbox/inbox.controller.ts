import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTenant, Public, ZodPipe } from '@cloudillo/http';
import { type IdTag } from '@cloudillo/protocol';
import { z } from 'zod';

import { InboxService } from './inbox.service';

const inboxBody = z.object({
  token: z.string().min(1),
  related: z.array(z.string().min(1)).max(16).optional(),
});

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
  ): Promise<{ actionId: string }> {
    return this.inbox.receive(tenant.ascii, body.token);
  }
}
