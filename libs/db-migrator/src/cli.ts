/**
 * db-migrate deploy            apply every service's pending migrations (start, tests, Helm Job)
 * db-migrate new <svc> <name>  write a migration for the changes in <svc>'s schema.prisma
 * Reads DATABASE_URL; run from the repository root (or pass DB_MIGRATOR_ROOT).
 */
import { assertSupportedNode } from '@cloudillo/config';

import { migratorEnv } from './config';
import { createMigration, deployMigrations } from './migrator';
import { pgTargetFromUrl } from './schema-engine';
import { serviceDatabases } from './services';

async function main(argv: string[]): Promise<void> {
  assertSupportedNode();
  const { databaseUrl: url, root } = migratorEnv();
  if (!url) throw new Error('DATABASE_URL is not set');
  const dbs = serviceDatabases(root);
  const [command, service, name] = argv;
  if (command === 'deploy') {
    for (const db of dbs) {
      const applied = await deployMigrations(db, pgTargetFromUrl(url, db.pgSchema));
      console.log(
        `${db.service}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`,
      );
    }
    return;
  }
  if (command === 'new' && service && name) {
    const db = dbs.find((d) => d.service === service);
    if (!db) throw new Error(`unknown service ${service}`);
    const dir = await createMigration(db, pgTargetFromUrl(url, db.pgSchema), name);
    console.log(dir ? `wrote ${dir}` : 'no changes');
    return;
  }
  throw new Error('usage: db-migrate deploy | db-migrate new <service> <name>');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`db-migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
