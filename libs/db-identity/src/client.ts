import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/client';

export interface IdentityDbOptions {
  databaseUrl: string;
  /** Postgres schema holding the identity tables; tests use a fresh one per file. */
  schema?: string;
  poolSize?: number;
}

export type IdentityDb = PrismaClient;

/** A Prisma client on the identity schema; the driver adapter means no native engine is needed. */
export function createIdentityDb(options: IdentityDbOptions): IdentityDb {
  const schema = options.schema ?? 'identity';
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
