import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ContractClient, resolveTenant, tenantPurged } from '@cloudillo/contracts';
import { isAppError, NotFoundError } from '@cloudillo/protocol';

import { CLOCK, type Clock } from '../tokens';
import { ActionsRepository } from './actions.repository';

/** Long enough to spare identity a request per inbox token, short enough to follow status changes. */
const TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

/**
 * This deployment's tenants, as identity knows them (an id_tag that is not ours is 404). Ids are
 * cached briefly; a purge drops its entry at once (`identity.tenant.purged.v1`).
 */
@Injectable()
export class TenantDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new Map<string, { tnId: number; until: number }>();
  private readonly remembered = new Set<number>();
  private unsubscribe?: () => void;

  constructor(
    private readonly rpc: ContractClient,
    private readonly actions: ActionsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // Every replica forgets at once (a plain subscription, not the service's queue group).
    this.unsubscribe = this.rpc.subscribe(tenantPurged, ({ idTag, tnId }) => {
      this.cache.delete(idTag);
      this.remembered.delete(tnId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async tnId(idTag: string): Promise<number> {
    const now = this.clock().getTime();
    const cached = this.cache.get(idTag);
    if (cached && cached.until > now) return cached.tnId;
    const tnId = await this.lookup(idTag);
    // Written once per process, not on every expiry of the cached id.
    if (!this.remembered.has(tnId)) {
      await this.actions.rememberTenant(tnId, idTag);
      this.remembered.add(tnId);
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(idTag, { tnId, until: now + TTL_MS });
    return tnId;
  }

  /**
   * Whether `idTag` is still a tenant here (and still the tenant `tnId`, when given): false once it
   * is purged or its id_tag went to a new tenant, so work queued for it before is dropped, not done.
   */
  async isLive(idTag: string, tnId?: number): Promise<boolean> {
    try {
      const current = await this.tnId(idTag);
      return tnId === undefined || current === tnId;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
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
