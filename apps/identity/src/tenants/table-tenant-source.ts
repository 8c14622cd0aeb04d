import { type TenantSource } from '@cloudillo/tenancy';

import { type TenantsRepository } from './tenants.repository';

/** Identity owns the tenants: its resolver reads their table rather than asking itself over NATS. */
export function tableTenantSource(tenants: TenantsRepository): TenantSource {
  return async (idTag) => {
    const tenant = await tenants.findByIdTag(idTag);
    return tenant && { idTag: tenant.idTag, tnId: tenant.tnId, status: tenant.status };
  };
}
