/**
 * Tenant-scale figures: provisioning 10,000 tenants with keys (through identity.tenant.create.v1,
 * as the CLI and portal do), and GET /api/me through the gateway at concurrency 32 with 10 and
 * with 10,000 tenants — requests/s, p50/p99 and identity's RSS. Baseline, in the same run: a bare
 * `node:http` server in its own process answering the same bytes.
 * Goals: the 10-tenant rate ≥ 0.25 of the bare server's; the 10,000-tenant rate ≥ 0.9 of the
 * 10-tenant rate, RSS barely growing.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';

import { ContractClient, createTenant } from '@cloudillo/contracts';
import { NatsRpcTransport } from '@cloudillo/messaging';
import { connect } from 'nats';

import {
  cpuSnapshot,
  cpuSpent,
  dropSchema,
  httpLoad,
  requireEnv,
  rssMiB,
  startApp,
  startBenchIdentity,
  stopApp,
  type LoadResult,
} from './harness';

const TENANTS = Number(process.env['BENCH_TENANTS'] ?? 10_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONCURRENCY = 32;
const IDENTITY_PORT = 18101;
const GATEWAY_PORT = 18080;
const BARE_PORT = 18198;

/** One GET through the gateway: the bytes and content type a bare server will answer with. */
function fetchOnce(host: string): Promise<{ body: Buffer; type: string; etag: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: GATEWAY_PORT, path: '/api/me', headers: { host } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            body: Buffer.concat(chunks),
            type: String(res.headers['content-type']),
            etag: String(res.headers['etag']),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A bare `node:http` server in its own process answering every request with `answer`. */
async function startBare(answer: { body: Buffer; type: string; etag: string }) {
  const code = `
const body = Buffer.from(${JSON.stringify(answer.body.toString('base64'))}, 'base64');
const headers = { 'content-type': ${JSON.stringify(answer.type)}, etag: ${JSON.stringify(answer.etag)}, 'cache-control': 'no-cache', 'content-length': String(body.length) };
require('node:http').createServer((req, res) => { res.writeHead(200, headers); res.end(body); })
  .listen(${BARE_PORT}, '127.0.0.1', () => console.log('ready'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve()),
  );
  return child;
}

const idTagOf = (i: number) => `t${i}.bench.localhost`;

function show(label: string, r: LoadResult, rss: number, cpu: string): void {
  console.log(
    `${label}: ${r.perSecond.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}; identity RSS ${rss.toFixed(0)} MiB`,
  );
  console.log(`  CPU seconds: ${cpu}`);
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const natsUrl = requireEnv('NATS_URL');
  const schema = `bench_me_${process.pid}`;
  const identity = await startBenchIdentity({
    databaseUrl,
    schema,
    port: IDENTITY_PORT,
    baseIdTag: 'admin.bench.localhost',
  });
  const gateway = await startApp('gateway', {
    GATEWAY_PORT: String(GATEWAY_PORT),
    GATEWAY_UPSTREAMS: `identity=http://127.0.0.1:${IDENTITY_PORT}`,
    // One client address sending hundreds of requests a second: per-IP limits would measure
    // themselves, not the path (their behaviour is tested in apps/gateway/test/rate-limits).
    GATEWAY_RATE_LIMITS: 'false',
  });
  const nc = await connect({ servers: natsUrl });
  const rpc = new ContractClient(new NatsRpcTransport(nc));
  try {
    const provision = async (from: number, to: number) => {
      let next = from;
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < to) await rpc.request(createTenant, { idTag: idTagOf(next++) });
        }),
      );
      return (Date.now() - started) / 1000;
    };
    await provision(0, 10);
    const load = (tenants: number) =>
      httpLoad({
        port: GATEWAY_PORT,
        seconds: SECONDS,
        concurrency: CONCURRENCY,
        next: () => ({
          path: '/api/me',
          headers: { host: `cl-o.${idTagOf(Math.floor(Math.random() * tenants))}:8080` },
        }),
      });
    await load(10); // warm-up: JIT, connection pools, gateway tenant cache
    const processes = { gateway: gateway.pid, identity: identity.pid, bench: 'self' as const };
    const cpuBefore = cpuSnapshot(processes);
    const small = await load(10);
    const smallCpu = cpuSpent(cpuBefore, cpuSnapshot(processes));
    const smallRss = rssMiB(identity.pid);
    show(`GET /api/me, 10 tenants    `, small, smallRss, smallCpu);

    const bare = await startBare(await fetchOnce(`cl-o.${idTagOf(0)}:8080`));
    const bareLoad = () =>
      httpLoad({
        port: BARE_PORT,
        seconds: SECONDS,
        concurrency: CONCURRENCY,
        next: () => ({ path: '/api/me', headers: { host: `cl-o.${idTagOf(0)}:8080` } }),
      });
    await bareLoad(); // warm-up
    const baseline = await bareLoad();
    await stopApp(bare);
    console.log(
      `bare node:http, same bytes : ${baseline.perSecond.toFixed(0)} req/s, p50 ${baseline.p50.toFixed(2)} ms, p99 ${baseline.p99.toFixed(2)} ms`,
    );
    console.log(
      `ratio gateway (10 tenants) / bare node:http: ${(small.perSecond / baseline.perSecond).toFixed(2)} (goal ≥ 0.25)`,
    );

    const seconds = await provision(10, TENANTS);
    console.log(
      `provisioned ${TENANTS - 10} tenants with P-384 keys in ${seconds.toFixed(1)} s: ${((TENANTS - 10) / seconds).toFixed(0)} tenants/s (each: key pair, AES-GCM seal, 2 rows)`,
    );

    // Steady state of a live deployment: every tenant seen within the gateway's 30 s cache window.
    let warmed = 0;
    const warm = await httpLoad({
      port: GATEWAY_PORT,
      seconds: 120,
      concurrency: CONCURRENCY,
      next: () => ({
        path: '/api/me',
        headers: { host: `cl-o.${idTagOf(warmed++ % TENANTS)}:8080` },
      }),
      until: () => warmed >= TENANTS,
    });
    console.log(`warmed the gateway with ${warm.requests} requests`);
    const cpuBeforeLarge = cpuSnapshot(processes);
    const large = await load(TENANTS);
    const largeCpu = cpuSpent(cpuBeforeLarge, cpuSnapshot(processes));
    const largeRss = rssMiB(identity.pid);
    show(`GET /api/me, ${TENANTS} tenants`, large, largeRss, largeCpu);
    console.log(
      `ratio ${TENANTS} / 10 tenants: ${(large.perSecond / small.perSecond).toFixed(2)} (goal ≥ 0.9); identity RSS growth ${(largeRss - smallRss).toFixed(0)} MiB`,
    );
    console.log(`gateway RSS ${rssMiB(gateway.pid).toFixed(0)} MiB`);
  } finally {
    await nc.drain();
    await Promise.all([identity, gateway].map(stopApp));
    await dropSchema(databaseUrl, schema);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
