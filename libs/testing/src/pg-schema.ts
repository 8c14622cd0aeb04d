import path from 'node:path';

import { deployMigrations, pgTargetFromUrl, serviceDatabases } from '@cloudillo/db-migrator';
import { Client } from 'pg';

import { testInfra, uniqueName } from './infra';

const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface TestSchema {
  schema: string;
  databaseUrl: string;
  drop(): Promise<void>;
}

/** A fresh Postgres schema with one service's migrations applied: per-file isolation. */
export async function createTestSchema(service: string): Promise<TestSchema> {
  const { databaseUrl } = testInfra();
  const db = serviceDatabases(REPO_ROOT).find((d) => d.service === service);
  if (!db) throw new Error(`no database for service ${service}`);
  const schema = uniqueName(`t_${service.replaceAll('-', '_')}`).toLowerCase();
  await deployMigrations(db, pgTargetFromUrl(databaseUrl, schema));
  return {
    schema,
    databaseUrl,
    drop: async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
