import {
  type ContractClient,
  resolveTenant,
  tenantPurged,
  tenantStatusChanged,
} from '@cloudillo/contracts';
import { isAppError } from '@cloudillo/protocol';

import { type TenantContext } from './tenant-context';
import { type TenantResolver, type TenantSource } from './tenant-resolver';

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

/** A tenant that changed: purged, suspended or reactivated. */
export interface TenantChange {
  idTag: string;
  tnId: number;
  kind: 'purged' | 'status';
}

/**
 * Keeps `resolver` current from identity's events, heard by every replica (plain subscriptions,
 * not queue groups); `onChange` hears each change after the entry is dropped. Returns the
 * unsubscribe.
 */
export function followTenantChanges(
  rpc: ContractClient,
  resolver: TenantResolver,
  onChange?: (change: TenantChange) => void,
): () => void {
  const stops = [
    rpc.subscribe(tenantPurged, ({ idTag, tnId }) => {
      resolver.forget(idTag);
      onChange?.({ idTag, tnId, kind: 'purged' });
    }),
    rpc.subscribe(tenantStatusChanged, ({ idTag, tnId }) => {
      resolver.forget(idTag);
      onChange?.({ idTag, tnId, kind: 'status' });
    }),
  ];
  return () => stops.forEach((stop) => stop());
}
