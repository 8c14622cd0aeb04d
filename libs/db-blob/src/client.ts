import { compileWasmAtBaseline, poolConfig, type PostgresOptions } from '@cloudillo/postgres';
import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/client';

export type BlobDbOptions = PostgresOptions;

export type BlobDb = PrismaClient;

/** A Prisma client on the blob schema. */
export function createBlobDb(options: BlobDbOptions): BlobDb {
  compileWasmAtBaseline();
  const schema = options.schema ?? 'blob';
  return new PrismaClient({ adapter: new PrismaPg(poolConfig(options, schema), { schema }) });
}
