import { type Provider } from '@nestjs/common';
import { type FederationDb } from '@cloudillo/db-federation';
import { READINESS_CHECKS, type ReadinessCheck } from '@cloudillo/http';
import { NATS_CONNECTION } from '@cloudillo/messaging';
import { type NatsConnection } from 'nats';

import { FED_DB } from '../tokens';

/** Ready when Postgres answers and NATS is connected. */
export const federationReadiness: Provider = {
  provide: READINESS_CHECKS,
  inject: [FED_DB, NATS_CONNECTION],
  useFactory: (db: FederationDb, nats: NatsConnection): ReadinessCheck[] => [
    { name: 'postgres', check: async () => (await db.$queryRaw`select 1`, true) },
    { name: 'nats', check: async () => !nats.isClosed() },
  ],
};
