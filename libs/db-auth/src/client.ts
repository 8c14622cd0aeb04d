import { compileWasmAtBaseline, poolConfig, type PostgresOptions } from '@cloudillo/postgres';
import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/client';

export type AuthDbOptions = PostgresOptions;

export type AuthDb = PrismaClient;

/** A Prisma client on the auth schema. */
export function createAuthDb(options: AuthDbOptions): AuthDb {
  compileWasmAtBaseline();
  const schema = options.schema ?? 'auth';
  return new PrismaClient({ adapter: new PrismaPg(poolConfig(options, schema), { schema }) });
}
