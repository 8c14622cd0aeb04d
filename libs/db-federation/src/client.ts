import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';

import { PrismaClient } from './generated/client';

export interface FederationDbOptions {
  databaseUrl: string;
  /** Postgres schema holding the federation tables; tests use a fresh one per file. */
  schema?: string;
  poolSize?: number;
}

export type FederationDb = PrismaClient;

/** A Prisma client on the federation schema; the driver adapter means no native engine is needed. */
export function createFederationDb(options: FederationDbOptions): FederationDb {
  const schema = options.schema ?? 'federation';
  const adapter = new PrismaPg(
    {
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      options: `-c search_path=${schema}`,
    },
    { schema },
  );
  return new PrismaClient({ adapter });
}

/**
 * A plain pg pool on the same schema, for the inbox's hot statements (multi-row insert, claim,
 * batch activation), where Prisma's per-query planning costs more than the query itself.
 */
export function createFederationPool(options: FederationDbOptions): Pool {
  return new Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    options: `-c search_path=${options.schema ?? 'federation'}`,
  });
}
