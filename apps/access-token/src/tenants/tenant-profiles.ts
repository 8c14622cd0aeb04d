import { Injectable } from '@nestjs/common';
import { ContractClient, getTenant } from '@cloudillo/contracts';
import { type TenantContext } from '@cloudillo/tenancy';

/** What a login shows of a tenant and the extra roles its own user holds. */
export interface TenantProfile {
  name: string;
  profilePic?: string | undefined;
  roles: readonly string[];
}

/**
 * A tenant's profile, asked of identity each time: a new name or a removed role is announced by no
 * event, so unlike the tenant's status it is not cached, and the next login or refresh shows it.
 */
@Injectable()
export class TenantProfiles {
  constructor(private readonly rpc: ContractClient) {}

  async of(tenant: TenantContext): Promise<TenantProfile> {
    const { name, profilePic, roles } = await this.rpc.request(getTenant, { idTag: tenant.idTag });
    return { name, profilePic, roles };
  }
}
