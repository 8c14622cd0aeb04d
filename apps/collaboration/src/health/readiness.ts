import { type Provider } from '@nestjs/common';
import { type CollabDb } from '@cloudillo/db-collab';
import { READINESS_CHECKS, type ReadinessCheck } from '@cloudillo/http';
import { NATS_CONNECTION } from '@cloudillo/messaging';
import { type NatsConnection } from 'nats';

import { COLLAB_DB } from '../tokens';

/** Ready when Postgres answers and NATS is connected. */
export const collaborationReadiness: Provider = {
  provide: READINESS_CHECKS,
  inject: [COLLAB_DB, NATS_CONNECTION],
  useFactory: (db: CollabDb, nats: NatsConnection): ReadinessCheck[] => [
    { name: 'postgres', check: async () => (await db.$queryRaw`select 1`, true) },
    { name: 'nats', check: async () => !nats.isClosed() },
  ],
};
