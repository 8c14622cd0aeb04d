import { type Provider } from '@nestjs/common';
import { type IdentityDb } from '@cloudillo/db-identity';
import { READINESS_CHECKS, type ReadinessCheck } from '@cloudillo/http';
import { NATS_CONNECTION } from '@cloudillo/messaging';
import { type NatsConnection } from 'nats';

import { IDENTITY_DB } from '../tokens';

/** Identity is ready when Postgres answers and NATS is connected. */
export const identityReadiness: Provider = {
  provide: READINESS_CHECKS,
  inject: [IDENTITY_DB, NATS_CONNECTION],
  useFactory: (db: IdentityDb, nats: NatsConnection): ReadinessCheck[] => [
    { name: 'postgres', check: async () => (await db.$queryRaw`select 1`, true) },
    { name: 'nats', check: async () => !nats.isClosed() },
  ],
};
