import {
  type ContractClient,
  resolveTenant,
  tenantCreated,
  tenantPurged,
  tenantStatusChanged,
} from '@cloudillo/contracts';
import { isAppError } from '@cloudillo/protocol';

import { type TenantContext, type TenantResolver, type TenantSource } from '@cloudillo/tenancy';

/** Identity's answer over NATS (`identity.tenant.resolve.v1`), for every service but identity. */
export function identityTenantSource(rpc: ContractClient): TenantSource {
  return async (idTag) => {
    try {
      const { tnId, idTag: ascii, status } = await rpc.request(resolveTenant, { idTag });
      const tenant: TenantContext = { idTag: ascii, tnId, status };
      return tenant;
    } catch (error) {
      // Only a definite "not ours" is an answer; an outage must not be remembered as one.
      if (isAppError(error) && error.code === 'E-CORE-NOTFOUND') return undefined;
      throw error;
    }
  };
}

/** A tenant that changed: created, purged, suspended or reactivated. */
export interface TenantChange {
  idTag: string;
  tnId: number;
  kind: 'created' | 'purged' | 'status';
}

/**
 * Keeps `resolver` current from identity's events (created, purged, status changed), heard by every replica (plain subscriptions,
 * not queue groups); `onChange` hears each change after the entry is dropped. Returns the
 * unsubscribe.
 */
export function followTenantChanges(
  rpc: ContractClient,
  resolver: TenantResolver,
  onChange?: (change: TenantChange) => void,
): () => void {
  const changed =
    (kind: TenantChange['kind']) =>
    ({ idTag, tnId }: { idTag: string; tnId: number }) => {
      resolver.forget(idTag);
      onChange?.({ idTag, tnId, kind });
    };
  const stops = [
    // A new tenant answers at once everywhere, not after a remembered "not ours" expires.
    rpc.subscribe(tenantCreated, changed('created')),
    rpc.subscribe(tenantPurged, changed('purged')),
    rpc.subscribe(tenantStatusChanged, changed('status')),
  ];
  return () => stops.forEach((stop) => stop());
}
