import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, resolveTenant } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { TenantsService } from './tenants.service';

@Controller()
export class TenantsHandler {
  constructor(private readonly tenants: TenantsService) {}

  @HandleRequest(resolveTenant)
  async resolve({
    idTag,
  }: HandlerInput<typeof resolveTenant>): Promise<HandlerReply<typeof resolveTenant>> {
    const { tnId, type, status } = await this.tenants.resolve(idTag);
    return { tnId, idTag, type, status };
  }
}
