import {
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type BlobDb, createBlobDb } from '@cloudillo/db-blob';
import { authProviders, HealthController } from '@cloudillo/http';
import { MessagingModule } from '@cloudillo/messaging';
import { peerClientProvider } from '@cloudillo/peer-client';
import { S3BlobStore } from '@cloudillo/storage';

import { FileAccess } from './access/file-access';
import { FileLinksHandler } from './access/file-links.handler';
import { FileOpenHandler } from './access/file-open.handler';
import { SharesController } from './access/shares.controller';
import { ShareOffers } from './access/share-offers';
import { SharesRepository } from './access/shares.repository';
import { SharesService } from './access/shares.service';
import { type BlobConfig } from './config';
import { CollabChangesHandler } from './files/collab-changes.handler';
import { FileDuplicatesService } from './files/file-duplicates.service';
import { FileRecordsController } from './files/file-records.controller';
import { FileRecordsRepository } from './files/file-records.repository';
import { FileRecordsService } from './files/file-records.service';
import { FilesController } from './files/files.controller';
import { FilesRepository } from './files/files.repository';
import { FilesService } from './files/files.service';
import { GarbageCollector } from './files/garbage-collector';
import { UploadService } from './files/upload.service';
import { blobReadiness } from './health/readiness';
import { FileRefresh } from './sync/file-refresh';
import { FileSync, FileSyncHandler } from './sync/file-sync';
import { SharedFilesHandler } from './sync/shared-files';
import { AttachmentsHandler } from './files/attachments';
import { TenantPurgeHandler } from './files/tenant-purge.handler';
import { ImageVariants } from './variants/image-variants';
import { MediaVariants } from './variants/media-variants';
import { VariantJobs } from './variants/variant-jobs';
import { BLOB_CONFIG, BLOB_DB, BLOB_STORE, CLOCK, type Clock } from './tokens';

export interface BlobDeps {
  clock?: Clock;
}

class ConnectionsLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(BLOB_DB) private readonly db: BlobDb,
    @Inject(BLOB_STORE) private readonly store: S3BlobStore,
  ) {}

  /** The bucket exists before the first upload (idempotent across replicas). */
  async onModuleInit(): Promise<void> {
    await this.store.ensureBucket();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.$disconnect();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: BlobConfig, deps: BlobDeps = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [MessagingModule.forRoot({ natsUrl: config.natsUrl, name: 'blob' })],
      // Before FilesController: `POST /api/files/{id}/shares` has the shape of an upload path.
      controllers: [
        SharesController,
        FileRecordsController,
        FilesController,
        FileSyncHandler,
        SharedFilesHandler,
        FileLinksHandler,
        FileOpenHandler,
        AttachmentsHandler,
        TenantPurgeHandler,
        CollabChangesHandler,
        HealthController,
      ],
      providers: [
        { provide: BLOB_CONFIG, useValue: config },
        { provide: CLOCK, useValue: deps.clock ?? (() => new Date()) },
        {
          provide: BLOB_DB,
          useFactory: () =>
            createBlobDb({ databaseUrl: config.databaseUrl, schema: config.dbSchema }),
        },
        {
          provide: BLOB_STORE,
          useFactory: () =>
            new S3BlobStore({
              ...config.s3,
              partSizeBytes: config.partSizeBytes,
              ...(config.directReads ? { publicEndpoint: config.directReads.endpoint } : {}),
            }),
        },
        ConnectionsLifecycle,
        blobReadiness,
        ...authProviders({ tenantHeaderSecret: config.tenantHeaderSecret }),
        FilesRepository,
        FileRecordsRepository,
        FileDuplicatesService,
        SharesRepository,
        ShareOffers,
        FileAccess,
        SharesService,
        FilesService,
        FileRecordsService,
        UploadService,
        GarbageCollector,
        ImageVariants,
        MediaVariants,
        VariantJobs,
        FileSync,
        FileRefresh,
        peerClientProvider(config),
      ],
    };
  }
}
