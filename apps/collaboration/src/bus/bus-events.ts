import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  actionStored,
  ContractClient,
  type EventContract,
  type EventPayload,
  fileIdGenerated,
} from '@cloudillo/contracts';
import { TenantResolver } from '@cloudillo/tenancy';

import { BusSockets } from './bus-sockets';

/**
 * The services' events that `/ws/bus` pushes to a tenant's clients (protocol §7.1). These are
 * plain subscriptions, not `@HandleEvent` (a queue group): every replica holds its own sockets,
 * so every replica must hear every event.
 */
@Injectable()
export class BusEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('bus');
  private stops: (() => void)[] = [];

  constructor(
    private readonly rpc: ContractClient,
    private readonly tenants: TenantResolver,
    private readonly sockets: BusSockets,
  ) {}

  onModuleInit(): void {
    this.stops = [
      this.follow(fileIdGenerated, ({ tenant, tempId, fileId }) => ({
        idTag: tenant,
        cmd: 'FILE_ID_GENERATED',
        data: { tempId, fileId },
      })),
      // The event carries the action's summary (not a full ActionView); clients refetch by id.
      this.follow(actionStored, ({ tenant, ...action }) => ({
        idTag: tenant,
        cmd: 'ACTION',
        data: action,
      })),
    ];
  }

  onModuleDestroy(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private follow<C extends EventContract>(
    contract: C,
    toPush: (event: EventPayload<C>) => { idTag: string; cmd: string; data: unknown },
  ): () => void {
    return this.rpc.subscribe(
      contract,
      (event) => void this.deliver(toPush(event as EventPayload<C>)),
      () => this.logger.warn(`dropped a malformed ${contract.subject} event`),
    );
  }

  /** The id_tag is resolved here: sockets are kept by tnId, and a purged tenant has none. */
  private async deliver(push: { idTag: string; cmd: string; data: unknown }): Promise<void> {
    if (this.sockets.empty) return;
    try {
      const tenant = await this.tenants.lookup(push.idTag);
      if (tenant) this.sockets.push(tenant.tnId, push.cmd, push.data);
    } catch (error) {
      this.logger.warn(`${push.cmd} for ${push.idTag} not pushed: ${String(error)}`);
    }
  }
}
