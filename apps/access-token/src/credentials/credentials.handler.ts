import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, setTenantPassword } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { NotFoundError } from '@cloudillo/protocol';

import { TenantDirectory } from '../login/tenant-directory';
import { CredentialsService } from './credentials.service';

@Controller()
export class CredentialsHandler {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tenants: TenantDirectory,
  ) {}

  @HandleRequest(setTenantPassword)
  async setPassword({
    idTag,
    password,
  }: HandlerInput<typeof setTenantPassword>): Promise<HandlerReply<typeof setTenantPassword>> {
    const tenant = await this.tenants.find(idTag);
    if (!tenant) throw new NotFoundError(`unknown tenant ${idTag}`);
    return {
      revokedSessions: await this.credentials.setPassword(tenant.tnId, tenant.idTag, password),
    };
  }
}
