import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ContractClient, TenantIdCache } from '@cloudillo/contracts';

import { CLOCK, type Clock } from './tokens';

/** Tenant ids by id_tag, as identity knows them; cached briefly, dropped at once on a purge. */
@Injectable()
export class TenantIds implements OnModuleInit, OnModuleDestroy {
  private readonly cache: TenantIdCache;

  constructor(rpc: ContractClient, @Inject(CLOCK) clock: Clock) {
    this.cache = new TenantIdCache(rpc, () => clock().getTime());
  }

  onModuleInit(): void {
    this.cache.start();
  }

  onModuleDestroy(): void {
    this.cache.stop();
  }

  of(idTag: string): Promise<number> {
    return this.cache.of(idTag);
  }
}
