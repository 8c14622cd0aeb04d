import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, signWithTenantKey } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { KeyVault } from './key-vault';

@Controller()
export class KeysHandler {
  constructor(private readonly vault: KeyVault) {}

  @HandleRequest(signWithTenantKey)
  sign({
    idTag,
    claims,
  }: HandlerInput<typeof signWithTenantKey>): Promise<HandlerReply<typeof signWithTenantKey>> {
    return this.vault.sign(idTag, claims);
  }
}
