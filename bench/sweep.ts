/**
 * Drops the schemas of bench runs that did not get to clean up (killed, crashed): every bench
 * names its schemas `bench_…_<pid>`, and a schema whose process is gone belongs to nobody.
 * Run by `npm run bench` before each bench.
 */
import { Client } from 'pg';

import { dropSchema, requireEnv } from './harness';

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  const { rows } = await pg
    .query<{ name: string }>(
      `select nspname as name from pg_namespace where nspname like 'bench\\_%'`,
    )
    .finally(() => pg.end());
  const abandoned = rows
    .map(({ name }) => ({ name, pid: Number(/_(\d+)$/.exec(name)?.[1]) }))
    .filter(({ pid }) => Number.isInteger(pid) && pid > 0 && !running(pid));
  for (const { name } of abandoned) await dropSchema(databaseUrl, name);
  if (abandoned.length > 0)
    console.log(`dropped ${abandoned.length} schemas of earlier bench runs that did not finish`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
