import { Controller } from '@nestjs/common';
import { signWithTenantKey } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { type z } from 'zod';

import { KeyVault } from './key-vault';

@Controller()
export class KeysHandler {
  constructor(private readonly vault: KeyVault) {}

  @HandleRequest(signWithTenantKey)
  sign({
    idTag,
    claims,
  }: z.output<typeof signWithTenantKey.request>): Promise<
    z.input<typeof signWithTenantKey.response>
  > {
    return this.vault.sign(idTag, claims);
  }
}
