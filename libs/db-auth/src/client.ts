import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/client';

export interface AuthDbOptions {
  databaseUrl: string;
  /** Postgres schema holding the auth tables; tests use a fresh one per file. */
  schema?: string;
  poolSize?: number;
}

export type AuthDb = PrismaClient;

/** A Prisma client on the auth schema; the driver adapter means no native engine is needed. */
export function createAuthDb(options: AuthDbOptions): AuthDb {
  const schema = options.schema ?? 'auth';
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
