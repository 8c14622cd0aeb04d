/**
 * Issue 4: cross-node exchange latency (protocol §4.4) between two whole platform instances on
 * loopback — identity, access-token and gateway each, private NATS servers, peer maps between the
 * gateways. Cold: a tenant's first `GET /api/auth/proxy-token?idTag=<peer>` (PROXY signed by
 * identity, sent to the peer, whose identity fetches the issuer's /api/me to verify it). Warm: the
 * same calls again, answered from the per-(tenant, peer) token cache.
 */
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { ContractClient, createTenant, setTenantPassword } from '@cloudillo/contracts';
import { deployMigrations, pgTargetFromUrl, serviceDatabases } from '@cloudillo/db-migrator';
import { NatsRpcTransport } from '@cloudillo/messaging';
import {
  type ApiCall,
  apiClient,
  loginAs,
  startNatsServer,
  type TestNatsServer,
} from '@cloudillo/testing';
import { connect } from 'nats';

import { dropSchema, requireEnv, ROOT, startApp, stopApp } from './harness';

const TENANTS = Number(process.env['BENCH_TENANTS'] ?? 40);
const WARM_ROUNDS = 5;

interface Node {
  name: string;
  base: string;
  ports: { identity: number; auth: number; gateway: number };
  nats: TestNatsServer;
  schemas: { identity: string; auth: string };
  processes: ChildProcess[];
}

async function migrate(databaseUrl: string, service: string, schema: string): Promise<void> {
  const db = serviceDatabases(ROOT).find((d) => d.service === service);
  if (!db) throw new Error(`no ${service} database`);
  await deployMigrations(db, pgTargetFromUrl(databaseUrl, schema));
}

async function startNode(
  databaseUrl: string,
  name: string,
  offset: number,
  peer: { base: string; port: number },
): Promise<Node> {
  const nats = await startNatsServer();
  const ports = { identity: 18_201 + offset, auth: 18_202 + offset, gateway: 18_280 + offset };
  const schemas = {
    identity: `bench_x${name}_id_${process.pid}`,
    auth: `bench_x${name}_auth_${process.pid}`,
  };
  await migrate(databaseUrl, 'identity', schemas.identity);
  await migrate(databaseUrl, 'access-token', schemas.auth);
  const base = `${name}.localhost`;
  const common = {
    NATS_URL: nats.url,
    // The peer provider's base and every tenant under it live behind its gateway.
    FEDERATION_PEER_MAP: `${peer.base}=http://127.0.0.1:${peer.port},*.${peer.base}=http://127.0.0.1:${peer.port}`,
  };
  const processes = [
    await startApp('identity', {
      ...common,
      IDENTITY_DB_SCHEMA: schemas.identity,
      IDENTITY_HTTP_PORT: String(ports.identity),
      IDENTITY_BASE_ID_TAG: base,
      IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      IDENTITY_QUEUE_PREFIX: schemas.identity,
    }),
    await startApp('access-token', {
      ...common,
      AUTH_DB_SCHEMA: schemas.auth,
      AUTH_HTTP_PORT: String(ports.auth),
      AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    }),
    await startApp('gateway', {
      ...common,
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_UPSTREAMS: `identity=http://127.0.0.1:${ports.identity},access-token=http://127.0.0.1:${ports.auth}`,
      GATEWAY_RATE_LIMITS: 'false',
    }),
  ];
  return { name, base, ports, nats, schemas, processes };
}

/** One timed request through a gateway. */
async function timed(
  call: ApiCall,
  host: string,
  path: string,
  token: string,
): Promise<{ status: number; ms: number }> {
  const started = process.hrtime.bigint();
  const { status } = await call(host, 'GET', path, { token });
  return { status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  console.log(
    `${label}: n ${sorted.length}, mean ${mean.toFixed(2)} ms, p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const a = await startNode(databaseUrl, 'nodea', 0, { base: 'nodeb.localhost', port: 18_380 });
  const b = await startNode(databaseUrl, 'nodeb', 100, { base: 'nodea.localhost', port: 18_280 });
  const nc = await connect({ servers: a.nats.url });
  try {
    const rpc = new ContractClient(new NatsRpcTransport(nc));
    const gatewayA = apiClient(a.ports.gateway);
    const tokens: { idTag: string; token: string }[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const idTag = `u${i}.nodea.localhost`;
      await rpc.request(createTenant, { idTag });
      await rpc.request(setTenantPassword, { idTag, password: 'bench-password' });
      tokens.push({ idTag, token: await loginAs(gatewayA, idTag, 'bench-password') });
    }
    console.log(`${TENANTS} tenants on node A, each asking node A for a token at node B`);
    const call = ({ idTag, token }: { idTag: string; token: string }) =>
      timed(gatewayA, idTag, `/api/auth/proxy-token?idTag=${b.base}`, token);
    const cold: number[] = [];
    for (const t of tokens) {
      const { status, ms } = await call(t);
      if (status !== 200) throw new Error(`exchange for ${t.idTag} failed: ${status}`);
      cold.push(ms);
    }
    const warm: number[] = [];
    for (let round = 0; round < WARM_ROUNDS; round++) {
      for (const t of tokens) warm.push((await call(t)).ms);
    }
    summary('cold (sign PROXY, exchange at B, B fetches A’s key)', cold);
    summary('warm (per-(tenant, peer) token cache)              ', warm);
  } finally {
    await nc.drain();
    for (const node of [a, b]) {
      await Promise.all(node.processes.map(stopApp));
      await node.nats.stop();
      for (const schema of Object.values(node.schemas)) await dropSchema(databaseUrl, schema);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
