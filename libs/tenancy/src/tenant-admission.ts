import { NotFoundError, UnavailableError } from '@cloudillo/protocol';

import { type TenantContext } from './tenant-context';

/** The one answer for an id_tag this deployment does not serve (or no longer: purging). */
export function unknownTenant(idTag: string): NotFoundError {
  return new NotFoundError(`unknown tenant ${idTag}`);
}

/**
 * Whether a tenant may be served, answered the same by the gateway and every service: a suspended
 * tenant is 503 (peers' deliveries come back later, after a reactivation), a purging one is not
 * found. Returns the tenant when it is active.
 */
export function admitTenant(tenant: TenantContext): TenantContext {
  if (tenant.status === 'A') return tenant;
  if (tenant.status === 'S') throw new UnavailableError('this tenant is suspended');
  throw unknownTenant(tenant.idTag);
}
