import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, setTenantPassword } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { TenantResolver } from '@cloudillo/tenancy';

import { CredentialsService } from './credentials.service';

@Controller()
export class CredentialsHandler {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tenants: TenantResolver,
  ) {}

  @HandleRequest(setTenantPassword)
  async setPassword({
    idTag,
    password,
  }: HandlerInput<typeof setTenantPassword>): Promise<HandlerReply<typeof setTenantPassword>> {
    const tenant = await this.tenants.require(idTag);
    return { revokedSessions: await this.credentials.setPassword(tenant, password) };
  }
}
