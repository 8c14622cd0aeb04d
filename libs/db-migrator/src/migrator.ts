import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Client } from 'pg';

import { readMigrations } from './migrations';
import { openSchemaEngine, type PgTarget } from './schema-engine';
import { type ServiceDatabase } from './services';

const NO_FILTERS = { externalTables: [], externalEnums: [] };
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Runs one statement on its own connection, which is always closed again. */
async function runSql(target: PgTarget, sql: string): Promise<void> {
  const { schema: _schema, ...connection } = target;
  const client = new Client(connection);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates the Postgres schema if needed; names are checked, as they cannot be bound parameters. */
export async function ensurePgSchema(target: PgTarget): Promise<void> {
  if (!PG_IDENTIFIER.test(target.schema)) throw new Error(`invalid schema name ${target.schema}`);
  await runSql(target, `create schema if not exists "${target.schema}"`);
}

/** Applies every pending migration of one service; returns the names applied. */
export async function deployMigrations(db: ServiceDatabase, target: PgTarget): Promise<string[]> {
  await ensurePgSchema(target);
  const { engine, close } = await openSchemaEngine(
    target,
    path.join(db.prismaDir, 'schema.prisma'),
  );
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await readMigrations(path.join(db.prismaDir, 'migrations')),
      filters: NO_FILTERS,
    });
    return appliedMigrationNames;
  } finally {
    await close();
  }
}

/**
 * Writes a new migration: the SQL that takes a database with every existing migration applied to
 * the current schema.prisma. The "before" state is built in a scratch Postgres schema that is
 * dropped afterwards, so no shadow database is needed.
 */
export async function createMigration(
  db: ServiceDatabase,
  target: PgTarget,
  name: string,
): Promise<string | undefined> {
  if (!/^[a-z][a-z0-9_]{2,60}$/.test(name))
    throw new Error('migration names are snake_case, e.g. add_token_revocations');
  const scratch: PgTarget = { ...target, schema: `migrate_scratch_${process.pid}_${Date.now()}` };
  await deployMigrations(db, scratch);
  const { engine, close } = await openSchemaEngine(
    scratch,
    path.join(db.prismaDir, 'schema.prisma'),
  );
  try {
    const schemaFile = path.join(db.prismaDir, 'schema.prisma');
    const files = [{ path: schemaFile, content: await readFile(schemaFile, 'utf8') }];
    // "schemaDatasource" is the live database behind the engine's adapter: the scratch schema.
    const result = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: db.prismaDir },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    const sql = (result.stdout ?? '').trim();
    if (sql === '' || sql.startsWith('-- This is an empty migration')) return undefined;
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(db.prismaDir, 'migrations', `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'migration.sql'), `${sql}\n`);
    await writeFile(
      path.join(db.prismaDir, 'migrations', 'migration_lock.toml'),
      'provider = "postgresql"\n',
    );
    return dir;
  } finally {
    await close();
    await runSql(scratch, `drop schema if exists "${scratch.schema}" cascade`);
  }
}
