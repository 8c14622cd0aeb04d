/**
 * Signing over NATS (identity.key.sign.v1 answered by identity in its own process, as deployed)
 * against raw ES384 signing with node:crypto in this process: the cost of keeping private keys
 * inside identity. Goal (issue 3): ratio ≥ 0.7.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import { ContractClient, signWithTenantKey } from '@cloudillo/contracts';
import { deployMigrations, pgTargetFromUrl, serviceDatabases } from '@cloudillo/db-migrator';
import { NatsRpcTransport } from '@cloudillo/messaging';
import { connect } from 'nats';

import { dropSchema, requireEnv, ROOT, startApp, stopApp } from './harness';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);

function rawSignRate(): number {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const payload = Buffer.from(
    `eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzM4NCJ9.${randomBytes(120).toString('base64url')}`,
  );
  const deadline = Date.now() + SECONDS * 1000;
  let count = 0;
  while (Date.now() < deadline) {
    sign('sha384', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    count++;
  }
  return count / SECONDS;
}

async function natsSignRate(natsUrl: string): Promise<{ rate: number; p50: number; p99: number }> {
  const nc = await connect({ servers: natsUrl });
  const rpc = new ContractClient(new NatsRpcTransport(nc));
  const latencies: number[] = [];
  const claims = { t: 'POST', c: 'benchmark', aud: 'bob.localhost' };
  for (let i = 0; i < 200; i++)
    await rpc.request(signWithTenantKey, { idTag: 'bench.localhost', claims }); // warm-up
  const deadline = Date.now() + SECONDS * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const started = process.hrtime.bigint();
      await rpc.request(signWithTenantKey, { idTag: 'bench.localhost', claims });
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await nc.drain();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rate: latencies.length / SECONDS, p50: at(0.5), p99: at(0.99) };
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const natsUrl = requireEnv('NATS_URL');
  const schema = `bench_sign_${process.pid}`;
  const db = serviceDatabases(ROOT).find((d) => d.service === 'identity');
  if (!db) throw new Error('no identity database');
  await deployMigrations(db, pgTargetFromUrl(databaseUrl, schema));
  const identity = await startApp('identity', {
    IDENTITY_DB_SCHEMA: schema,
    IDENTITY_HTTP_PORT: '0',
    IDENTITY_BASE_ID_TAG: 'bench.localhost',
    IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    IDENTITY_QUEUE_PREFIX: schema,
  });
  try {
    console.log(`signing ES384 for ${SECONDS} s each; NATS concurrency ${CONCURRENCY}`);
    const raw = rawSignRate();
    console.log(`raw node:crypto ES384 sign:   ${raw.toFixed(0)} signatures/s (one core)`);
    const viaNats = await natsSignRate(natsUrl);
    console.log(
      `identity.key.sign.v1 over NATS: ${viaNats.rate.toFixed(0)} tokens/s, p50 ${viaNats.p50.toFixed(2)} ms, p99 ${viaNats.p99.toFixed(2)} ms`,
    );
    console.log(`ratio NATS / raw: ${(viaNats.rate / raw).toFixed(2)} (goal ≥ 0.7)`);
  } finally {
    await stopApp(identity);
    await dropSchema(databaseUrl, schema);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
