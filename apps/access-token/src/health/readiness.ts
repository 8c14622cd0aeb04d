import { type Provider } from '@nestjs/common';
import { type AuthDb } from '@cloudillo/db-auth';
import { READINESS_CHECKS, type ReadinessCheck } from '@cloudillo/http';
import { NATS_CONNECTION } from '@cloudillo/messaging';
import { type NatsConnection } from 'nats';

import { AUTH_DB } from '../tokens';

/** Access-token is ready when Postgres answers and NATS is connected. */
export const authReadiness: Provider = {
  provide: READINESS_CHECKS,
  inject: [AUTH_DB, NATS_CONNECTION],
  useFactory: (db: AuthDb, nats: NatsConnection): ReadinessCheck[] => [
    { name: 'postgres', check: async () => (await db.$queryRaw`select 1`, true) },
    { name: 'nats', check: async () => !nats.isClosed() },
  ],
};
