import { compileWasmAtBaseline, poolConfig, type PostgresOptions } from '@cloudillo/postgres';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';

import { PrismaClient } from './generated/client';

export type FederationDbOptions = PostgresOptions;

export type FederationDb = PrismaClient;

/** A Prisma client on the federation schema. */
export function createFederationDb(options: FederationDbOptions): FederationDb {
  compileWasmAtBaseline();
  const schema = options.schema ?? 'federation';
  return new PrismaClient({ adapter: new PrismaPg(poolConfig(options, schema), { schema }) });
}

/**
 * A plain pg pool on the same schema, for the inbox's hot statements (multi-row insert, claim,
 * batch activation), where Prisma's per-query planning costs more than the query itself.
 */
export function createFederationPool(options: FederationDbOptions): Pool {
  return new Pool(poolConfig(options, options.schema ?? 'federation'));
}
