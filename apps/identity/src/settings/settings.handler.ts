import { Controller } from '@nestjs/common';
import { getSettings, type HandlerInput, type HandlerReply } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { TenantResolver } from '@cloudillo/tenancy';

import { SettingsService } from './settings.service';

/** Settings for the services that act on them (over NATS). */
@Controller()
export class SettingsHandler {
  constructor(
    private readonly settings: SettingsService,
    private readonly tenants: TenantResolver,
  ) {}

  @HandleRequest(getSettings)
  async get({
    tenant,
    names,
  }: HandlerInput<typeof getSettings>): Promise<HandlerReply<typeof getSettings>> {
    const { tnId } = await this.tenants.require(tenant);
    return { values: await this.settings.values(tnId, names) };
  }
}
