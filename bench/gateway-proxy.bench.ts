/**
 * The gateway's own cost: requests/s and CPU per request of small API calls, and MiB/s of a large
 * download, through the gateway vs straight to the upstream it proxies to (a minimal HTTP server
 * in its own process standing in for every service, so only the hop is measured). The tenant is
 * resolved once by a real identity service over NATS, then from the gateway's cache.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';

import { ContractClient, createTenant } from '@cloudillo/contracts';
import { NatsRpcTransport } from '@cloudillo/messaging';
import { connect } from 'nats';

import {
  cpuSeconds,
  dropSchema,
  httpLoad,
  type LoadResult,
  requireEnv,
  rssMiB,
  secondsSince,
  startApp,
  startBenchIdentity,
  stopApp,
} from './harness';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONCURRENCY = 32;
const IDENTITY_PORT = 18111;
const GATEWAY_PORT = 18090;
const UPSTREAM_PORT = 18199;
const DOWNLOAD_MIB = 64;
const DOWNLOADS = Number(process.env['BENCH_DOWNLOADS'] ?? 8);
const TENANT = 'gw.bench.localhost';

/** Answers every request after reading its body: a tiny JSON, or DOWNLOAD_MIB MiB for /big. */
const UPSTREAM = `
const http = require('node:http');
const chunk = Buffer.alloc(1024 * 1024, 7);
const small = Buffer.from('{"data":{"ok":true}}');
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url.startsWith('/api/files/big')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(${DOWNLOAD_MIB} * chunk.length) });
      let left = ${DOWNLOAD_MIB};
      const more = () => { while (left > 0) { left--; if (!res.write(chunk)) return res.once('drain', more); } res.end(); };
      more();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(small.length) });
    res.end(small);
  });
}).listen(${UPSTREAM_PORT}, '127.0.0.1', () => console.log('ready on ${UPSTREAM_PORT}'));
`;

function download(port: number, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/files/big',
        headers: { host: `cl-o.${TENANT}` },
        agent,
      },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function downloads(port: number): Promise<number> {
  const agent = new Agent({ keepAlive: true });
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < DOWNLOADS; i++) bytes += await download(port, agent);
  agent.destroy();
  return bytes / 1024 / 1024 / secondsSince(started);
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const natsUrl = requireEnv('NATS_URL');
  const schema = `bench_gw_${process.pid}`;
  const identity = await startBenchIdentity({
    databaseUrl,
    schema,
    port: IDENTITY_PORT,
    baseIdTag: 'admin.gw.bench.localhost',
  });
  const upstream = spawn(process.execPath, ['-e', UPSTREAM], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) =>
    upstream.stdout.on('data', (c: Buffer) => c.toString().includes('ready on') && resolve()),
  );
  const target = `http://127.0.0.1:${UPSTREAM_PORT}`;
  const gateway = await startApp('gateway', {
    GATEWAY_PORT: String(GATEWAY_PORT),
    GATEWAY_UPSTREAMS: `identity=${target},action-federation=${target},blob=${target}`,
    GATEWAY_RATE_LIMITS: 'false',
  });
  const nc = await connect({ servers: natsUrl });
  const rpc = new ContractClient(new NatsRpcTransport(nc));
  try {
    await rpc.request(createTenant, { idTag: TENANT });
    const headers = { host: `cl-o.${TENANT}` };
    const body = Buffer.from(JSON.stringify({ token: 'x'.repeat(1000) }));
    const cases = {
      'GET /api/actions': () => ({ path: '/api/actions?type=POST', headers }),
      'POST /api/inbox (1 KiB)': () => ({
        path: '/api/inbox',
        method: 'POST',
        body,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(body.length),
        },
      }),
    };
    const load = (port: number, next: () => ReturnType<(typeof cases)['GET /api/actions']>) =>
      httpLoad({ port, seconds: SECONDS, concurrency: CONCURRENCY, next });
    const show = (label: string, r: LoadResult, cpu?: number) =>
      console.log(
        `${label}: ${r.perSecond.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}` +
          (cpu === undefined
            ? ''
            : `; gateway CPU ${((cpu / r.requests) * 1000).toFixed(3)} ms/req`),
      );
    await load(GATEWAY_PORT, cases['GET /api/actions']); // warm-up: JIT, tenant cache, sockets
    for (const [label, next] of Object.entries(cases)) {
      const direct = await load(UPSTREAM_PORT, next);
      show(`${label} direct      `, direct);
      const cpuBefore = cpuSeconds(gateway.pid);
      const proxied = await load(GATEWAY_PORT, next);
      show(`${label} via gateway `, proxied, cpuSeconds(gateway.pid) - cpuBefore);
      console.log(`  ratio ${(proxied.perSecond / direct.perSecond).toFixed(2)}`);
    }
    await downloads(GATEWAY_PORT); // warm-up
    const direct = await downloads(UPSTREAM_PORT);
    const proxied = await downloads(GATEWAY_PORT);
    console.log(
      `download ${DOWNLOADS} × ${DOWNLOAD_MIB} MiB: direct ${direct.toFixed(0)} MiB/s, via gateway ${proxied.toFixed(0)} MiB/s, ratio ${(proxied / direct).toFixed(2)}`,
    );
    console.log(`gateway RSS ${rssMiB(gateway.pid).toFixed(0)} MiB`);
  } finally {
    await nc.drain();
    await Promise.all([gateway, identity, upstream].map(stopApp));
    await dropSchema(databaseUrl, schema);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
