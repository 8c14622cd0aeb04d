import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ContractClient, TenantIdCache } from '@cloudillo/contracts';
import { NotFoundError } from '@cloudillo/protocol';

import { CLOCK, type Clock } from '../tokens';
import { ActionsRepository } from './actions.repository';

/**
 * This deployment's tenants, as identity knows them (an id_tag that is not ours is 404), cached
 * briefly (`TenantIdCache`); each tenant is also recorded here once, for background work that
 * starts from a row.
 */
@Injectable()
export class TenantDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly cache: TenantIdCache;
  private readonly remembered = new Set<number>();

  constructor(
    rpc: ContractClient,
    private readonly actions: ActionsRepository,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.cache = new TenantIdCache(rpc, () => clock().getTime());
  }

  onModuleInit(): void {
    this.cache.start(({ tnId }) => this.remembered.delete(tnId));
  }

  onModuleDestroy(): void {
    this.cache.stop();
  }

  async tnId(idTag: string): Promise<number> {
    const tnId = await this.cache.of(idTag);
    // Written once per process, not on every expiry of the cached id.
    if (!this.remembered.has(tnId)) {
      await this.actions.rememberTenant(tnId, idTag);
      this.remembered.add(tnId);
    }
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
}
