import { isAppError, NotFoundError } from '@cloudillo/protocol';

import { type ContractClient } from '../client';
import { resolveTenant } from './resolve-tenant';
import { tenantPurged } from './tenants';

export interface TenantIdCacheOptions {
  /** How long an id is trusted: status changes (a suspended tenant) show within this. */
  ttlMs: number;
  /** Oldest entries go first beyond this. */
  maxEntries: number;
}

const DEFAULTS: TenantIdCacheOptions = { ttlMs: 30_000, maxEntries: 50_000 };

/**
 * Tenant ids by id_tag, as identity knows them, for services that need one per request: cached
 * briefly, so identity is not asked every time. An id_tag that is not this deployment's, or is
 * being purged (`X`), is a NotFoundError. A purge drops its entry at once: every replica hears
 * `identity.tenant.purged.v1` (a plain subscription, not a queue group).
 */
export class TenantIdCache {
  private readonly cache = new Map<string, { tnId: number; until: number }>();
  private readonly options: TenantIdCacheOptions;
  private unsubscribe?: () => void;

  constructor(
    private readonly rpc: ContractClient,
    private readonly now: () => number,
    options: Partial<TenantIdCacheOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Starts following purges; `onPurged` hears each one after the entry is dropped. */
  start(onPurged?: (purged: { idTag: string; tnId: number }) => void): void {
    this.unsubscribe = this.rpc.subscribe(tenantPurged, (purged) => {
      this.cache.delete(purged.idTag);
      onPurged?.(purged);
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  async of(idTag: string): Promise<number> {
    const now = this.now();
    const cached = this.cache.get(idTag);
    if (cached && cached.until > now) return cached.tnId;
    const tnId = await this.lookup(idTag);
    if (this.cache.size >= this.options.maxEntries)
      this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(idTag, { tnId, until: now + this.options.ttlMs });
    return tnId;
  }

  private async lookup(idTag: string): Promise<number> {
    try {
      const tenant = await this.rpc.request(resolveTenant, { idTag });
      if (tenant.status === 'X') throw new NotFoundError(`unknown tenant ${idTag}`);
      return tenant.tnId;
    } catch (error) {
      if (isAppError(error) && error.code === 'E-CORE-NOTFOUND')
        throw new NotFoundError(`unknown tenant ${idTag}`);
      throw error;
    }
  }
}
