import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ContractClient, resolveTenant, tenantPurged } from '@cloudillo/contracts';
import { isAppError, NotFoundError } from '@cloudillo/protocol';

import { CLOCK, type Clock } from './tokens';

const TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

/** Tenant ids by id_tag, as identity knows them; cached briefly, dropped at once on a purge. */
@Injectable()
export class TenantIds implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new Map<string, { tnId: number; until: number }>();
  private unsubscribe?: () => void;

  constructor(
    private readonly rpc: ContractClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.rpc.subscribe(tenantPurged, ({ idTag }) => this.cache.delete(idTag));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async of(idTag: string): Promise<number> {
    const now = this.clock().getTime();
    const cached = this.cache.get(idTag);
    if (cached && cached.until > now) return cached.tnId;
    let tnId: number;
    try {
      const tenant = await this.rpc.request(resolveTenant, { idTag });
      if (tenant.status === 'X') throw new NotFoundError(`unknown tenant ${idTag}`);
      tnId = tenant.tnId;
    } catch (error) {
      if (isAppError(error) && error.code === 'E-CORE-NOTFOUND')
        throw new NotFoundError(`unknown tenant ${idTag}`);
      throw error;
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(idTag, { tnId, until: now + TTL_MS });
    return tnId;
  }
}
