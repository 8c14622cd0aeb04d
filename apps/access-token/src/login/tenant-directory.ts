import { Injectable } from '@nestjs/common';
import { ContractClient, getTenant, type TenantView } from '@cloudillo/contracts';
import { COMMUNITY_ROLES, isAppError } from '@cloudillo/protocol';

/** Tenants as identity knows them; undefined for an id_tag that is not ours. */
@Injectable()
export class TenantDirectory {
  constructor(private readonly rpc: ContractClient) {}

  async find(idTag: string): Promise<TenantView | undefined> {
    try {
      return await this.rpc.request(getTenant, { idTag });
    } catch (error) {
      if (isAppError(error) && error.code === 'E-CORE-NOTFOUND') return undefined;
      throw error;
    }
  }
}

/** A tenant's own user gets every community role up to leader, plus its extras (protocol §4.2). */
export function ownerRoles(tenant: TenantView): string[] {
  return [...COMMUNITY_ROLES, ...tenant.roles.filter((r) => !COMMUNITY_ROLES.includes(r as never))];
}
