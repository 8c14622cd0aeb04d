import { type TenantContext } from '@cloudillo/tenancy';

/**
 * A tenant as the work done for it names it: its id_tag and its rows' key. Every `TenantContext`
 * is one (requests pass theirs down); queue jobs carry no more than this, because the tenant's
 * status may have changed by the time they run (the workers ask `TenantResolver.isLive` first).
 */
export type TenantRef = Pick<TenantContext, 'idTag' | 'tnId'>;
