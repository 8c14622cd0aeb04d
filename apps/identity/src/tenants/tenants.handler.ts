import { Controller } from '@nestjs/common';
import { resolveTenant } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { type z } from 'zod';

import { TenantsService } from './tenants.service';

@Controller()
export class TenantsHandler {
  constructor(private readonly tenants: TenantsService) {}

  @HandleRequest(resolveTenant)
  async resolve({
    idTag,
  }: z.output<typeof resolveTenant.request>): Promise<z.input<typeof resolveTenant.response>> {
    const { tnId, type, status } = await this.tenants.resolve(idTag);
    return { tnId, idTag, type, status };
  }
}
