import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/client';

export interface BlobDbOptions {
  databaseUrl: string;
  /** Postgres schema holding the blob tables; tests use a fresh one per file. */
  schema?: string;
  poolSize?: number;
}

export type BlobDb = PrismaClient;

/** A Prisma client on the blob schema; the driver adapter means no native engine is needed. */
export function createBlobDb(options: BlobDbOptions): BlobDb {
  const schema = options.schema ?? 'blob';
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
