import { type Provider } from '@nestjs/common';
import { type BlobDb } from '@cloudillo/db-blob';
import { READINESS_CHECKS, type ReadinessCheck } from '@cloudillo/http';
import { NATS_CONNECTION } from '@cloudillo/messaging';
import { type S3BlobStore } from '@cloudillo/storage';
import { type NatsConnection } from 'nats';

import { BLOB_DB, BLOB_STORE } from '../tokens';

/** Ready when Postgres answers, NATS is connected and the bucket is there. */
export const blobReadiness: Provider = {
  provide: READINESS_CHECKS,
  inject: [BLOB_DB, NATS_CONNECTION, BLOB_STORE],
  useFactory: (db: BlobDb, nats: NatsConnection, store: S3BlobStore): ReadinessCheck[] => [
    { name: 'postgres', check: async () => (await db.$queryRaw`select 1`, true) },
    { name: 'nats', check: async () => !nats.isClosed() },
    { name: 's3', check: async () => (await store.stat('readiness-probe'), true) },
  ],
};
