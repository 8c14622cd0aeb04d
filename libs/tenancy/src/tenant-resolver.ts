import { LRUCache } from 'lru-cache';

import { admitTenant, unknownTenant } from './tenant-admission';
import { type TenantContext, type TenantRef } from './tenant-context';

/**
 * Where a resolver learns of a tenant: identity's table in identity, identity over NATS anywhere
 * else. Undefined means "not this deployment's"; a thrown error means "cannot tell now" and is
 * never cached.
 */
export type TenantSource = (idTag: string) => Promise<TenantContext | undefined>;

export interface TenantResolverOptions {
  /** How long a tenant is trusted: a missed status event still shows within this. */
  ttlMs?: number;
  /** How long "not ours" is remembered: a new tenant answers within this. */
  negativeTtlMs?: number;
  /** Least recently used entries go first beyond this. */
  maxEntries?: number;
  /** Tests' clock (milliseconds). */
  now?: () => number;
}

/** A cache entry: a tenant, or the remembered absence of one. */
interface Entry {
  tenant: TenantContext | undefined;
}

/**
 * The tenant an id_tag names, resolved once and cached: concurrent lookups of one id_tag share a
 * single request to the source, misses are remembered for less time than hits, and whoever follows
 * identity's events (`forget`) sees a purge or a status change at once.
 */
export class TenantResolver {
  private readonly cache: LRUCache<string, Entry>;
  private readonly negativeTtlMs: number;

  constructor(
    private readonly source: TenantSource,
    options: TenantResolverOptions = {},
  ) {
    this.negativeTtlMs = options.negativeTtlMs ?? 5_000;
    this.cache = new LRUCache<string, Entry>({
      max: options.maxEntries ?? 100_000,
      ttl: options.ttlMs ?? 30_000,
      // Expiry is checked against the clock on each read, never cached between reads.
      ttlResolution: 0,
      ...(options.now ? { perf: { now: options.now } } : {}),
      fetchMethod: async (idTag, _stale, { options: entry }) => {
        const tenant = await this.source(idTag);
        if (!tenant) entry.ttl = this.negativeTtlMs;
        return { tenant };
      },
    });
  }

  /** The tenant, or undefined when this deployment does not serve the id_tag (or is purging it). */
  async lookup(idTag: string): Promise<TenantContext | undefined> {
    const tenant = await this.fetch(idTag);
    return tenant?.status === 'X' ? undefined : tenant;
  }

  /** The tenant in any status but purging; 404 otherwise. */
  async require(idTag: string): Promise<TenantContext> {
    const tenant = await this.lookup(idTag);
    if (!tenant) throw unknownTenant(idTag);
    return tenant;
  }

  /** The tenant, when it may be served now (see `admitTenant`). */
  async active(idTag: string): Promise<TenantContext> {
    return admitTenant(await this.require(idTag));
  }

  /**
   * Whether `tenant` is still a tenant here under the same tnId: false once it is purged or its
   * id_tag went to a new tenant, so work queued for it before is dropped, not done.
   */
  async isLive(tenant: TenantRef): Promise<boolean> {
    return (await this.lookup(tenant.idTag))?.tnId === tenant.tnId;
  }

  /** Drops what is known of `idTag` (a purge, a status change); the next lookup asks again. */
  forget(idTag: string): void {
    this.cache.delete(idTag);
  }

  private async fetch(idTag: string): Promise<TenantContext | undefined> {
    // A hit is read directly: `fetch` costs more than the whole lookup is worth on every request.
    const known = this.cache.get(idTag);
    if (known) return known.tenant;
    try {
      return (await this.cache.fetch(idTag))?.tenant;
    } catch (error) {
      // A `forget` while the source was being asked aborts that fetch: its answer may predate
      // the change, so ask once more rather than fail the caller.
      if (!(error instanceof Error && error.message === 'deleted')) throw error;
      return (await this.cache.fetch(idTag))?.tenant;
    }
  }
}
