import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, resolveKey } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { RemoteKeysService } from './remote-keys.service';

@Controller()
export class RemoteKeysHandler {
  constructor(private readonly keys: RemoteKeysService) {}

  @HandleRequest(resolveKey)
  resolve({
    idTag,
    keyId,
    refresh,
  }: HandlerInput<typeof resolveKey>): Promise<HandlerReply<typeof resolveKey>> {
    return this.keys.resolve(idTag, keyId, refresh);
  }
}
