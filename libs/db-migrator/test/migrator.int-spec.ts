import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import {
  createMigration,
  deployMigrations,
  pgTargetFromUrl,
  serviceDatabases,
  type ServiceDatabase,
} from '../src';

const REPO_ROOT = path.resolve(__dirname, '../../..');

// libs/testing builds on this lib, so this test reads the settings `npm test` exports itself.
function databaseUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set: run integration tests through `npm test`');
  return url;
}

const uniqueSchema = () =>
  `t_migrator_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

describe('db-migrator on the wasm schema engine (real Postgres)', () => {
  const pg = new Client({ connectionString: databaseUrl() });
  const schemas: string[] = [];
  let workDir: string;
  let db: ServiceDatabase;

  const target = () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    return pgTargetFromUrl(databaseUrl(), schema);
  };

  beforeAll(async () => {
    await pg.connect();
    // A copy of identity's Prisma folder, so the test may add migrations without touching the tree.
    workDir = await mkdtemp(path.join(tmpdir(), 'migrator-'));
    const identity = serviceDatabases(REPO_ROOT).find((d) => d.service === 'identity')!;
    await cp(identity.prismaDir, workDir, { recursive: true });
    db = { ...identity, prismaDir: workDir };
  });

  afterAll(async () => {
    for (const schema of schemas) await pg.query(`drop schema if exists "${schema}" cascade`);
    await pg.end();
    await rm(workDir, { recursive: true, force: true });
  });

  it('applies every committed migration once into its own schema', async () => {
    const t = target();
    const applied = await deployMigrations(db, t);
    expect(applied).toEqual(
      (await readdir(path.join(workDir, 'migrations'))).filter((n) => /^\d{14}_/.test(n)).sort(),
    );
    expect(await deployMigrations(db, t)).toEqual([]);
    const { rows } = await pg.query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by 1',
      [t.schema],
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'keys', 'tenants']),
    );
  });

  it('writes no migration when schema.prisma matches the committed ones', async () => {
    await expect(createMigration(db, target(), 'nothing_changed')).resolves.toBeUndefined();
  });

  it('writes the SQL for a schema change, which then deploys', async () => {
    const schemaFile = path.join(workDir, 'schema.prisma');
    const original = await readFile(schemaFile, 'utf8');
    await writeFile(
      schemaFile,
      original.replace(
        '  profilePic String?',
        '  nickname   String? @map("nickname")\n  profilePic String?',
      ),
    );
    const dir = await createMigration(db, target(), 'add_nickname');
    expect(dir).toMatch(/\d{14}_add_nickname$/);
    const sql = await readFile(path.join(dir!, 'migration.sql'), 'utf8');
    expect(sql).toContain('ADD COLUMN     "nickname" TEXT');
    const t = target();
    expect((await deployMigrations(db, t)).at(-1)).toMatch(/_add_nickname$/);
    const { rowCount } = await pg.query(
      "select 1 from information_schema.columns where table_schema = $1 and table_name = 'tenants' and column_name = 'nickname'",
      [t.schema],
    );
    expect(rowCount).toBe(1);
  });

  it('refuses migration names that are not snake_case, and unsafe schema names', async () => {
    await expect(createMigration(db, target(), 'Bad Name')).rejects.toThrow(/snake_case/);
    await expect(
      deployMigrations(db, pgTargetFromUrl(databaseUrl(), 'x"; drop table y; --')),
    ).rejects.toThrow(/invalid schema name/);
  });
});
