import { type ContractClient, getRelationship } from '@cloudillo/contracts';
import { type AuthContext } from '@cloudillo/http';

/** What a caller may see of a tenant's actions (protocol §2.4 visibility). */
export interface Sight {
  /** The tenant's own leaders: everything, any status. */
  all: boolean;
  /** Otherwise: active actions with one of these visibilities. */
  visibilities: string[];
  /** Follows the tenant or is connected (history sync answers only them, §2.10). */
  related: boolean;
}

/**
 * Public (`P`) for anyone; `V` for any authenticated user; followers' (`F`) for followers and
 * connections; connections' (`C`) for connections; nothing for blocked peers. Direct actions
 * (`D`/none) only for the tenant's leaders.
 */
export async function sightOf(
  rpc: ContractClient,
  tenant: string,
  caller: AuthContext | undefined,
): Promise<Sight> {
  if (caller?.roles.has('leader'))
    return { all: true, visibilities: ['P', 'V', 'F', 'C'], related: true };
  if (!caller || caller.anonymous) return { all: false, visibilities: ['P'], related: false };
  const relation = await rpc.request(getRelationship, { tenant, peer: caller.subject });
  if (relation.blocked) return { all: false, visibilities: [], related: false };
  const connected = relation.connected === 'true';
  const related = connected || relation.follower;
  return {
    all: false,
    visibilities: ['P', 'V', ...(related ? ['F'] : []), ...(connected ? ['C'] : [])],
    related,
  };
}
