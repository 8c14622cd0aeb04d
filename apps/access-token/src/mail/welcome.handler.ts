import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, sendWelcome } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { TenantResolver } from '@cloudillo/tenancy';

import { LinksService } from './links.service';

@Controller()
export class WelcomeHandler {
  constructor(
    private readonly links: LinksService,
    private readonly tenants: TenantResolver,
  ) {}

  @HandleRequest(sendWelcome)
  async send({
    idTag,
    email,
  }: HandlerInput<typeof sendWelcome>): Promise<HandlerReply<typeof sendWelcome>> {
    return this.links.sendWelcome(await this.tenants.require(idTag), email);
  }
}
