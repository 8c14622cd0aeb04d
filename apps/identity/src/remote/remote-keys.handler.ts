import { Controller } from '@nestjs/common';
import { resolveKey } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { type z } from 'zod';

import { RemoteKeysService } from './remote-keys.service';

@Controller()
export class RemoteKeysHandler {
  constructor(private readonly keys: RemoteKeysService) {}

  @HandleRequest(resolveKey)
  resolve({
    idTag,
    keyId,
    refresh,
  }: z.output<typeof resolveKey.request>): Promise<z.input<typeof resolveKey.response>> {
    return this.keys.resolve(idTag, keyId, refresh);
  }
}
