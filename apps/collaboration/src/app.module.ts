import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type CollabDb, createCollabDb } from '@cloudillo/db-collab';
import { authProviders, HealthController } from '@cloudillo/http';
import { MessagingModule } from '@cloudillo/messaging';

import { BusEvents } from './bus/bus-events';
import { BusSockets } from './bus/bus-sockets';
import { type CollaborationConfig } from './config';
import { CrdtEngine } from './crdt/crdt-engine';
import { UpdateLogRepository } from './crdt/update-log.repository';
import { FileChanges } from './files/file-changes';
import { FileCopyHandler } from './files/file-copy.handler';
import { FileStateController } from './files/file-state.controller';
import { TenantPurgeHandler } from './files/tenant-purge.handler';
import { collaborationReadiness } from './health/readiness';
import { RtdbHub } from './rtdb/rtdb-hub';
import { RtdbRepository } from './rtdb/rtdb.repository';
import { RtdbService } from './rtdb/rtdb.service';
import { FileSockets } from './socket/file-sockets';
import { SocketServer } from './socket/socket-server';
import { COLLAB_CONFIG, COLLAB_DB } from './tokens';

class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(COLLAB_DB) private readonly db: CollabDb) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.$disconnect();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: CollaborationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [MessagingModule.forRoot({ natsUrl: config.natsUrl, name: 'collaboration' })],
      controllers: [HealthController, FileStateController, FileCopyHandler, TenantPurgeHandler],
      providers: [
        { provide: COLLAB_CONFIG, useValue: config },
        {
          provide: COLLAB_DB,
          useFactory: () =>
            createCollabDb({ databaseUrl: config.databaseUrl, schema: config.dbSchema }),
        },
        ConnectionsLifecycle,
        collaborationReadiness,
        ...authProviders({ tenantHeaderSecret: config.tenantHeaderSecret }),
        UpdateLogRepository,
        FileChanges,
        CrdtEngine,
        FileSockets,
        BusSockets,
        BusEvents,
        SocketServer,
        RtdbRepository,
        RtdbService,
        RtdbHub,
      ],
    };
  }
}
