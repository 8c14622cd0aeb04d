import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, registerAtIdp } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { IdpService } from './idp.service';

/** The `IDP:REG` hook the federation inbox calls after verifying the action token. */
@Controller()
export class IdpRegistrationHandler {
  constructor(private readonly idp: IdpService) {}

  @HandleRequest(registerAtIdp)
  register({
    registrarIdTag,
    registrarAddress,
    content,
  }: HandlerInput<typeof registerAtIdp>): Promise<HandlerReply<typeof registerAtIdp>> {
    // A registration for an owner (a community) is still counted against its registrar.
    return this.idp.register({ registrarIdTag, registrarAddress, ...content });
  }
}
