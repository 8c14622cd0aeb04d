import { compileWasmAtBaseline, poolConfig, type PostgresOptions } from '@cloudillo/postgres';
import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/client';

export type CollabDbOptions = PostgresOptions;

export type CollabDb = PrismaClient;

/** A Prisma client on the collaboration schema. */
export function createCollabDb(options: CollabDbOptions): CollabDb {
  compileWasmAtBaseline();
  const schema = options.schema ?? 'collab';
  return new PrismaClient({ adapter: new PrismaPg(poolConfig(options, schema), { schema }) });
}
