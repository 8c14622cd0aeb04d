import { compileWasmAtBaseline, poolConfig, type PostgresOptions } from '@cloudillo/postgres';
import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/client';

export type IdentityDbOptions = PostgresOptions;

export type IdentityDb = PrismaClient;

/** A Prisma client on the identity schema. */
export function createIdentityDb(options: IdentityDbOptions): IdentityDb {
  compileWasmAtBaseline();
  const schema = options.schema ?? 'identity';
  return new PrismaClient({ adapter: new PrismaPg(poolConfig(options, schema), { schema }) });
}
