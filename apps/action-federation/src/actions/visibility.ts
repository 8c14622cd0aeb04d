import { type ContractClient, getRelationship } from '@cloudillo/contracts';
import { type AuthContext } from '@cloudillo/http';
import { type TenantRef } from '@cloudillo/tenancy';

/** What a caller may see of a tenant's actions (protocol §2.4 visibility). */
export interface Sight {
  /** The tenant's own leaders: everything, any status. */
  all: boolean;
  /** The tenant whose actions these are. */
  tenant: string;
  /** Visibilities open to this caller whoever issued the action (`P`, and `V` when signed in). */
  open: string[];
  /**
   * Visibilities this caller's relationship with the tenant opens (`F`, `C`), for the tenant's
   * own audience only: actions the tenant issued or that are addressed to it (its wall, its
   * threads). Another issuer's followers-only post the tenant holds is not the tenant's to show.
   */
  tenantTiers: string[];
  /** The caller's id_tag: an issuer always sees its own actions. */
  caller?: string;
  /** Follows the tenant or is connected (history sync answers only them, §2.10). */
  related: boolean;
}

/** The visibilities a caller's relationship with the tenant opens (tenant-issued actions). */
export function tiersOf(sight: Sight): string[] {
  return [...sight.open, ...sight.tenantTiers];
}

/**
 * Public (`P`) for anyone; `V` for any authenticated user; followers' (`F`) for the tenant's
 * followers and connections, connections' (`C`) for its connections — judged against the
 * action's issuer, so only for the tenant's own audience; direct (`D`/none) for the tenant's
 * leaders. The issuer sees its own; blocked peers see nothing.
 */
export async function sightOf(
  rpc: ContractClient,
  { idTag: tenant }: TenantRef,
  caller: AuthContext | undefined,
): Promise<Sight> {
  if (caller?.roles.has('leader'))
    return { all: true, tenant, open: ['P', 'V'], tenantTiers: ['F', 'C'], related: true };
  const none = { all: false, tenant, tenantTiers: [], related: false };
  if (!caller || caller.anonymous) return { ...none, open: ['P'] };
  const relation = await rpc.request(getRelationship, { tenant, peer: caller.subject });
  if (relation.blocked) return { ...none, open: [] };
  const connected = relation.connected === 'true';
  const related = connected || relation.follower;
  return {
    all: false,
    tenant,
    open: ['P', 'V'],
    tenantTiers: [...(related ? ['F'] : []), ...(connected ? ['C'] : [])],
    caller: caller.subject,
    related,
  };
}

/** Whether the caller may see this action (`sightWhere` says the same to the database). */
export function canSee(
  sight: Sight,
  action: { status: string; visibility: string | null; issuer: string; audience: string | null },
): boolean {
  if (sight.all) return true;
  if (action.status !== 'A') return false;
  if (sight.caller !== undefined && action.issuer === sight.caller) return true;
  const visibility = action.visibility ?? 'D';
  if (sight.open.includes(visibility)) return true;
  return (
    sight.tenantTiers.includes(visibility) &&
    (action.issuer === sight.tenant || action.audience === sight.tenant)
  );
}
