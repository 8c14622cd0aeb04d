import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, sendWelcome } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { LinksService } from './links.service';

@Controller()
export class WelcomeHandler {
  constructor(private readonly links: LinksService) {}

  @HandleRequest(sendWelcome)
  send({
    idTag,
    email,
  }: HandlerInput<typeof sendWelcome>): Promise<HandlerReply<typeof sendWelcome>> {
    return this.links.sendWelcome(idTag, email);
  }
}
