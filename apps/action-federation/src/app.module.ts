import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ActionTokenVerifier } from '@cloudillo/action-tokens';
import { ContractClient } from '@cloudillo/contracts';
import {
  createFederationDb,
  createFederationPool,
  type FederationDb,
} from '@cloudillo/db-federation';
import { authProviders, HealthController } from '@cloudillo/http';
import { MessagingModule } from '@cloudillo/messaging';
import { peerClientProvider } from '@cloudillo/peer-client';
import { redisConnection } from '@cloudillo/queues';
import {
  type ActionTypeDefinition,
  ActionTypeRegistry,
  BUILT_IN_ACTION_TYPES,
  PeerDirectory,
} from '@cloudillo/protocol';
import { Redis } from 'ioredis';
import { type Pool } from 'pg';

import { ACTION_TYPES } from './action-types';
import { DeliveriesController } from './admin/deliveries.controller';
import { ActionsController } from './actions/actions.controller';
import { ActionsHandler } from './actions/actions.handler';
import { ActionsRepository } from './actions/actions.repository';
import { ActionComposer } from './actions/action-composer';
import { AttachmentIds } from './actions/attachment-ids';
import { AttachmentReadyHandler } from './actions/attachment-ready.handler';
import { ServedTenants } from './actions/served-tenants';
import { TenantPurgeHandler } from './actions/tenant-purge.handler';
import { Subscriptions } from './conversations/subscriptions';
import { ConversationHooks } from './hooks/conversation-hooks';
import { FileShareHooks } from './hooks/file-share-hooks';
import { ActionsService } from './actions/actions.service';
import { DraftsRepository } from './actions/drafts.repository';
import { DraftsService } from './actions/drafts.service';
import { type FederationConfig } from './config';
import { OutboundActions } from './actions/outbound-actions';
import { CircuitBreaker } from './delivery/circuit-breaker';
import { DeliveryService } from './delivery/delivery.service';
import { FederationQueues } from './delivery/federation-queues';
import { FederationWorkers } from './delivery/federation-workers';
import { Recipients } from './delivery/recipients';
import { federationReadiness } from './health/readiness';
import { HistorySync } from './history/history-sync';
import { OutboxController } from './history/outbox.controller';
import { ACTION_HOOKS, type ActionHook } from './hooks/action-hook';
import { ApprovalHooks } from './hooks/approval-hooks';
import { FaultPoints } from './fault-points';
import { InboundAdmission } from './inbox/inbound-admission';
import { RefusalsRepository } from './inbox/refusals.repository';
import { RefusedRetention } from './inbox/refused-retention';
import { HookDispatcher } from './hooks/hook-dispatcher';
import { InteractionStats } from './hooks/interaction-stats';
import { RelationshipHooks } from './hooks/relationship-hooks';
import { AttachmentSync } from './inbox/attachment-sync';
import { InboxController } from './inbox/inbox.controller';
import { HeldTokens } from './inbox/held-tokens';
import { InboxService } from './inbox/inbox.service';
import { InboxWriter } from './inbox/inbox-writer';
import { ProofOfWork } from './inbox/proof-of-work';
import { VerificationService } from './inbox/verification.service';
import { CLOCK, type Clock, FED_CONFIG, FED_DB, FED_PG, FED_REDIS } from './tokens';

export interface FederationDeps {
  clock?: Clock;
  /** Types beyond the built-ins (protocol §2.3 is extensible): registered at startup. */
  actionTypes?: readonly ActionTypeDefinition[];
  /** Hooks for those types (or more hooks for built-in ones), run after the built-in hooks. */
  actionHooks?: readonly ActionHook[];
}

class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(FED_DB) private readonly db: FederationDb,
    @Inject(FED_REDIS) private readonly redis: Redis,
    @Inject(FED_PG) private readonly pool: Pool,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.$disconnect();
    await this.pool.end();
    await this.redis.quit();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: FederationConfig, deps: FederationDeps = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [MessagingModule.forRoot({ natsUrl: config.natsUrl, name: 'action-federation' })],
      controllers: [
        ActionsController,
        ActionsHandler,
        AttachmentReadyHandler,
        InboxController,
        OutboxController,
        DeliveriesController,
        HealthController,
        TenantPurgeHandler,
      ],
      providers: [
        { provide: FED_CONFIG, useValue: config },
        { provide: CLOCK, useValue: deps.clock ?? (() => new Date()) },
        {
          provide: FED_DB,
          useFactory: () =>
            createFederationDb({ databaseUrl: config.databaseUrl, schema: config.dbSchema }),
        },
        {
          provide: FED_PG,
          useFactory: () =>
            createFederationPool({ databaseUrl: config.databaseUrl, schema: config.dbSchema }),
        },
        ConnectionsLifecycle,
        federationReadiness,
        ...authProviders({ tenantHeaderSecret: config.tenantHeaderSecret }),
        {
          provide: ACTION_TYPES,
          useFactory: () =>
            new ActionTypeRegistry([...BUILT_IN_ACTION_TYPES, ...(deps.actionTypes ?? [])]),
        },
        {
          provide: ActionTokenVerifier,
          inject: [ContractClient],
          useFactory: (rpc: ContractClient) => new ActionTokenVerifier(rpc),
        },
        { provide: PeerDirectory, useFactory: () => new PeerDirectory(config.peers) },
        peerClientProvider(config),
        {
          provide: FED_REDIS,
          useFactory: () => new Redis({ ...redisConnection(config.redisUrl), lazyConnect: true }),
        },
        {
          provide: CircuitBreaker,
          inject: [FED_REDIS],
          useFactory: (redis: Redis) =>
            new CircuitBreaker(redis, config.queuePrefix, {
              ...config.breaker,
              probeMs: config.peerTimeoutMs * 2,
            }),
        },
        ProofOfWork,
        InboxWriter,
        HistorySync,
        {
          provide: ACTION_HOOKS,
          inject: [
            RelationshipHooks,
            InteractionStats,
            ApprovalHooks,
            ConversationHooks,
            FileShareHooks,
          ],
          useFactory: (...builtIn: ActionHook[]) => [...builtIn, ...(deps.actionHooks ?? [])],
        },
        ServedTenants,
        ActionsRepository,
        ActionsService,
        ActionComposer,
        AttachmentIds,
        DraftsRepository,
        DraftsService,
        OutboundActions,
        FaultPoints,
        RefusedRetention,
        InboundAdmission,
        RefusalsRepository,
        Recipients,
        InboxService,
        HeldTokens,
        VerificationService,
        AttachmentSync,
        DeliveryService,
        FederationQueues,
        FederationWorkers,
        HookDispatcher,
        RelationshipHooks,
        InteractionStats,
        ApprovalHooks,
        ConversationHooks,
        FileShareHooks,
        Subscriptions,
      ],
    };
  }
}
