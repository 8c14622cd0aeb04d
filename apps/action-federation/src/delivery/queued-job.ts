import { type TenantRef } from '@cloudillo/tenancy';

/** A job about one tenant, which it names with `tenant`. */
type TenantJob = { tenant: TenantRef };

/** The same job as a release before `tenant` queued it: `tnId` and the id_tag (`tenant`) apart. */
type SplitTenantJob<J extends TenantJob> = Omit<J, 'tenant'> & { tnId: number; tenant: string };

/** A job as it may wait in a queue: queued by this release, or by one before it. */
export type QueuedJob<J extends TenantJob> = J | SplitTenantJob<J>;

/** A queued job in this release's shape, whichever release queued it. */
export function currentJob<J extends TenantJob>(data: QueuedJob<J>): J {
  if (typeof data.tenant !== 'string') return data as J;
  const { tnId, tenant: idTag, ...rest } = data as SplitTenantJob<J>;
  return { ...rest, tenant: { idTag, tnId } } as unknown as J;
}
