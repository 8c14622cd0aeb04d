import {
  type ContractClient,
  resolveTenant,
  type ResponseOf,
  tenantPurged,
  tenantStatusChanged,
} from '@cloudillo/contracts';
import { isAppError } from '@cloudillo/protocol';

export type ResolvedTenant = ResponseOf<typeof resolveTenant>;

interface Entry {
  tenant: ResolvedTenant | undefined;
  expiresAt: number;
}

export interface TenantDirectoryOptions {
  positiveTtlMs?: number;
  negativeTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/**
 * Which id_tags this deployment serves, asked of identity over NATS and cached: hits for a short
 * while (a suspended tenant is seen within seconds), misses for less (a new tenant soon answers).
 * Concurrent lookups of one id_tag share a single request; the cache is bounded.
 */
export class TenantDirectory {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<ResolvedTenant | undefined>>();
  private readonly positiveTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly rpc: ContractClient,
    options: TenantDirectoryOptions = {},
  ) {
    this.positiveTtlMs = options.positiveTtlMs ?? 30_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Forgets a purged, suspended or reactivated tenant at once (`identity.tenant.purged.v1`,
   * `identity.tenant.status-changed.v1`, heard by every replica) rather than serving it as it was
   * until the entry expires. Returns the unsubscribe.
   */
  followChanges(): () => void {
    const forget = ({ idTag }: { idTag: string }) => this.entries.delete(idTag);
    const stops = [
      this.rpc.subscribe(tenantPurged, forget),
      this.rpc.subscribe(tenantStatusChanged, forget),
    ];
    return () => stops.forEach((stop) => stop());
  }

  /** The tenant, or undefined when this deployment does not serve the id_tag. */
  async lookup(idTag: string): Promise<ResolvedTenant | undefined> {
    const cached = this.entries.get(idTag);
    if (cached && cached.expiresAt > this.now()) return cached.tenant;
    const pending = this.inFlight.get(idTag);
    if (pending) return pending;
    const request = this.fetch(idTag).finally(() => this.inFlight.delete(idTag));
    this.inFlight.set(idTag, request);
    return request;
  }

  private async fetch(idTag: string): Promise<ResolvedTenant | undefined> {
    let tenant: ResolvedTenant | undefined;
    try {
      tenant = await this.rpc.request(resolveTenant, { idTag });
    } catch (error) {
      // Only a definite "not ours" is cached; an outage must not be remembered as one.
      if (!(isAppError(error) && error.code === 'E-CORE-NOTFOUND')) throw error;
    }
    this.remember(idTag, tenant);
    return tenant;
  }

  private remember(idTag: string, tenant: ResolvedTenant | undefined): void {
    this.entries.delete(idTag);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    const ttl = tenant ? this.positiveTtlMs : this.negativeTtlMs;
    this.entries.set(idTag, { tenant, expiresAt: this.now() + ttl });
  }
}
