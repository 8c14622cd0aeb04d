import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ContractClient, tenantPurged } from '@cloudillo/contracts';
import { type TenantRef } from '@cloudillo/tenancy';

import { ActionsRepository } from './actions.repository';

/**
 * The tenants this service has held tokens for, recorded in its `tenants` table: background work
 * that starts from a row (the verification sweeper) learns from it whose the row is. Each tenant
 * is written once per process; a purge (heard by every replica) forgets it here, as the purge
 * handler deletes its row.
 */
@Injectable()
export class ServedTenants implements OnModuleInit, OnModuleDestroy {
  private readonly recorded = new Set<number>();
  private stop?: () => void;

  constructor(
    private readonly rpc: ContractClient,
    private readonly actions: ActionsRepository,
  ) {}

  onModuleInit(): void {
    this.stop = this.rpc.subscribe(tenantPurged, ({ tnId }) => this.recorded.delete(tnId));
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  /** Before a row waiting for verification (status V) is written for `tenant`. */
  async record(tenant: TenantRef): Promise<void> {
    if (this.recorded.has(tenant.tnId)) return;
    await this.actions.rememberTenant(tenant);
    this.recorded.add(tenant.tnId);
  }
}
