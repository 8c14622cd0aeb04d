import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';

import { deployMigrations, pgTargetFromUrl, serviceDatabases } from '@cloudillo/db-migrator';
import { S3BlobStore } from '@cloudillo/storage';
import { Client } from 'pg';

export const ROOT = path.resolve(__dirname, '../..');

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through \`npm run bench\``);
  return value;
}

/**
 * BENCH_NODE_FLAGS="<app>=<flags>;<app>=<flags>": node flags for one app's process, given on its
 * command line (so also those NODE_OPTIONS refuses, like --min-semi-space-size).
 */
function nodeFlagsFor(app: string): string[] {
  for (const entry of (process.env['BENCH_NODE_FLAGS'] ?? '').split(';')) {
    const at = entry.indexOf('=');
    if (at > 0 && entry.slice(0, at).trim() === app)
      return entry
        .slice(at + 1)
        .split(/\s+/)
        .filter((flag) => flag !== '');
  }
  return [];
}

/** Starts a built app as its own process and resolves once it logs "ready on". */
export async function startApp(app: string, env: Record<string, string>): Promise<ChildProcess> {
  // BENCH_CPU_PROF=<app>:<dir> writes a V8 CPU profile of that app when it exits.
  const [profiled, profileDir] = (process.env['BENCH_CPU_PROF'] ?? '').split(':');
  const flags = [
    ...(profiled === app ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...nodeFlagsFor(app),
  ];
  const child = spawn(
    process.execPath,
    [...flags, path.join(ROOT, `dist/apps/${app}/src/main.js`)],
    {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // BENCH_APP_LOG_DIR=<dir> keeps each app's stdout in <dir>/<app>.log.
  const logDir = process.env['BENCH_APP_LOG_DIR'];
  if (logDir) child.stdout?.pipe(createWriteStream(path.join(logDir, `${app}.log`)));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready on') && resolve());
    child.on('exit', () => reject(new Error(`${app} exited`)));
  });
  return child;
}

/**
 * Stops an app started by `startApp` and resolves once it has exited (SIGKILL after 10 s), so
 * what it depends on (NATS, its schema) is not taken away while it is still shutting down.
 */
export async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(stuck);
}

/** Wall-clock seconds since `started` (a `process.hrtime.bigint()` reading). */
export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** CPU time (user + system, seconds) a process has used so far, from /proc. */
export function cpuSeconds(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of every process whose command line matches `pattern` (e.g. all of Postgres). */
export function cpuSecondsMatching(pattern: RegExp): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (pattern.test(cmdline)) total += cpuSeconds(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** The S3 store the backing services run (from the infra env), on `bucket`. */
export function benchStore(bucket: string, partSizeBytes?: number): S3BlobStore {
  return new S3BlobStore({
    ...(partSizeBytes ? { partSizeBytes } : {}),
    endpoint: requireEnv('S3_ENDPOINT'),
    region: process.env['S3_REGION'] ?? 'us-east-1',
    accessKey: requireEnv('S3_ACCESS_KEY'),
    secretKey: requireEnv('S3_SECRET_KEY'),
    bucket,
  });
}

/** Where CPU is counted: a pid, every process matching a pattern, or this bench process. */
export type CpuSource = number | undefined | RegExp | 'self';

/** CPU seconds used so far by each named source. */
export function cpuSnapshot(sources: Record<string, CpuSource>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(sources).map(([name, source]) => {
      if (source === 'self') {
        const { user, system } = process.cpuUsage();
        return [name, (user + system) / 1e6];
      }
      return [name, source instanceof RegExp ? cpuSecondsMatching(source) : cpuSeconds(source)];
    }),
  );
}

/** "name 1.2, other 0.3": the CPU seconds each source used between two snapshots. */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): string {
  return Object.entries(after)
    .map(([name, value]) => `${name} ${(value - (before[name] ?? 0)).toFixed(1)}`)
    .join(', ');
}

/** Resident memory of a process, from /proc (MiB). */
export function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Closed-loop HTTP load: `concurrency` keep-alive clients for `seconds`; latencies in ms. */
export async function httpLoad(options: {
  port: number;
  seconds: number;
  concurrency: number;
  next: () => { path: string; headers: Record<string, string>; method?: string; body?: Buffer };
  /** Stops early once true. */
  until?: () => boolean;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const { path: p, headers, method = 'GET', body } = options.next();
      const started = process.hrtime.bigint();
      const req = request(
        { host: '127.0.0.1', port: options.port, path: p, method, headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200)
              latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            else errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (Date.now() < deadline && !options.until?.()) await one();
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const elapsed = Math.min(options.seconds, (Date.now() - started) / 1000);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    errors,
  };
}

/** Removes a benchmark's Postgres schema. */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    await pg.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await pg.end();
  }
}

/**
 * A real identity service of its own (fresh schema, migrated) in its own process: the tenant
 * resolver behind a gateway. Stop it with `kill` and drop `schema` afterwards.
 */
export async function startBenchIdentity(options: {
  databaseUrl: string;
  schema: string;
  port: number;
  baseIdTag: string;
}): Promise<ChildProcess> {
  const db = serviceDatabases(ROOT).find((d) => d.service === 'identity');
  if (!db) throw new Error('no identity database');
  await deployMigrations(db, pgTargetFromUrl(options.databaseUrl, options.schema));
  // A NATS subject namespace of its own is not possible: make sure no other identity answers.
  return startApp('identity', {
    IDENTITY_DB_SCHEMA: options.schema,
    IDENTITY_HTTP_PORT: String(options.port),
    IDENTITY_BASE_ID_TAG: options.baseIdTag,
    IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    IDENTITY_QUEUE_PREFIX: options.schema,
  });
}
