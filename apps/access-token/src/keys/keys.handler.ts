import { Controller } from '@nestjs/common';
import { accessTokenKeys, type HandlerReply } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { SigningKeys } from './signing-keys';

@Controller()
export class KeysHandler {
  constructor(private readonly keys: SigningKeys) {}

  @HandleRequest(accessTokenKeys)
  async list(): Promise<HandlerReply<typeof accessTokenKeys>> {
    return { keys: await this.keys.published() };
  }
}
