import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, rolesAtTenant } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { TenantsService } from '../tenants/tenants.service';
import { KnownProfilesRepository } from './known-profiles.repository';

/** Roles for access tokens: what a tenant lets a federated user do there (protocol §4.2). */
@Controller()
export class RolesHandler {
  constructor(
    private readonly tenants: TenantsService,
    private readonly known: KnownProfilesRepository,
  ) {}

  @HandleRequest(rolesAtTenant)
  async roles({
    tenant,
    idTag,
  }: HandlerInput<typeof rolesAtTenant>): Promise<HandlerReply<typeof rolesAtTenant>> {
    const { tnId } = await this.tenants.resolve(tenant);
    return { roles: await this.known.roles(tnId, idTag) };
  }
}
