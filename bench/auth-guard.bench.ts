/**
 * Issue 4: the cost of the shared auth guard.
 * 1. Access-token verification inside the guard's verifier (AccessTokenVerifier: header check,
 *    key lookup, jose verification, claim schema, tenant binding, revocation check) vs raw jose
 *    `jwtVerify` of the same tokens, in one process. Goal: ratio ≥ 0.8.
 * 2. Requests/s of an authenticated no-op route vs an unauthenticated one on the same Nest app,
 *    with keys published by a real access-token service over NATS.
 */
import 'reflect-metadata';

import { randomBytes } from 'node:crypto';

import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  accessTokenKeys,
  ContractClient,
  createTenant,
  revokedSessions,
  type RpcTransport,
  setTenantPassword,
} from '@cloudillo/contracts';
import {
  generateAccessTokenKeyPair,
  importAccessTokenPrivateKey,
  importAccessTokenPublicKey,
  signAccessToken,
} from '@cloudillo/crypto';
import { deployMigrations, pgTargetFromUrl, serviceDatabases } from '@cloudillo/db-migrator';
import {
  AccessTokenVerifier,
  Authenticated,
  authProviders,
  configureHttpApp,
  Public,
} from '@cloudillo/http';
import { MessagingModule, NatsRpcTransport } from '@cloudillo/messaging';
import { apiClient, loginAs } from '@cloudillo/testing';
import { jwtVerify } from 'jose';
import { connect } from 'nats';

import { dropSchema, httpLoad, requireEnv, ROOT, startApp, stopApp } from './harness';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const TOKENS = 2_000;
const TENANT = 'guard.bench.localhost';

async function verifyRates(): Promise<{ raw: number; guard: number }> {
  const pair = await generateAccessTokenKeyPair();
  const privateKey = importAccessTokenPrivateKey(pair.privateKey);
  const publicKey = importAccessTokenPublicKey(pair.publicKey);
  const now = Math.floor(Date.now() / 1000);
  const tokens = await Promise.all(
    Array.from({ length: TOKENS }, (_, i) =>
      signAccessToken(
        {
          iss: TENANT,
          sub: TENANT,
          r: 'leader',
          iat: now,
          exp: now + 3600,
          jti: `j${i}`,
          sid: `s${i % 50}`,
        },
        privateKey,
        'k1',
      ),
    ),
  );
  const transport: RpcTransport = {
    request: async (subject) =>
      subject === accessTokenKeys.subject
        ? { keys: [{ kid: 'k1', publicKey: pair.publicKey }] }
        : subject === revokedSessions.subject
          ? { sessions: [] }
          : undefined,
    publish: async () => undefined,
    subscribe: () => () => undefined,
  };
  const verifier = new AccessTokenVerifier(new ContractClient(transport));
  const measure = async (verify: (token: string) => Promise<unknown>): Promise<number> => {
    for (const token of tokens.slice(0, 200)) await verify(token); // warm-up
    const deadline = Date.now() + SECONDS * 1000;
    let count = 0;
    while (Date.now() < deadline) {
      await verify(tokens[count % TOKENS] as string);
      count++;
    }
    return count / SECONDS;
  };
  const raw = await measure((token) => jwtVerify(token, publicKey, { algorithms: ['EdDSA'] }));
  const guard = await measure((token) => verifier.verify(token, TENANT, now));
  verifier.onModuleDestroy();
  return { raw, guard };
}

@Controller('bench')
class NoopController {
  @Get('public')
  @Public()
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('private')
  @Authenticated()
  closed(): { ok: true } {
    return { ok: true };
  }
}

async function routeRates(natsUrl: string, databaseUrl: string): Promise<void> {
  const schemas = { identity: `bench_gi_${process.pid}`, auth: `bench_ga_${process.pid}` };
  for (const [service, schema] of [
    ['identity', schemas.identity],
    ['access-token', schemas.auth],
  ] as const) {
    const db = serviceDatabases(ROOT).find((d) => d.service === service);
    if (!db) throw new Error(`no ${service} database`);
    await deployMigrations(db, pgTargetFromUrl(databaseUrl, schema));
  }
  const identity = await startApp('identity', {
    IDENTITY_DB_SCHEMA: schemas.identity,
    IDENTITY_HTTP_PORT: '0',
    IDENTITY_BASE_ID_TAG: 'admin.bench.localhost',
    IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    IDENTITY_QUEUE_PREFIX: schemas.identity,
  });
  const auth = await startApp('access-token', {
    AUTH_DB_SCHEMA: schemas.auth,
    AUTH_HTTP_PORT: '18102',
    AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  const nc = await connect({ servers: natsUrl });
  let app: INestApplication | undefined;
  try {
    const rpc = new ContractClient(new NatsRpcTransport(nc));
    await rpc.request(createTenant, { idTag: TENANT });
    await rpc.request(setTenantPassword, { idTag: TENANT, password: 'bench-password' });
    const token = await loginAs(apiClient(18102), TENANT, 'bench-password');

    @Module({
      imports: [MessagingModule.forRoot({ natsUrl, name: 'bench' })],
      controllers: [NoopController],
      providers: [...authProviders()],
    })
    class BenchModule {}
    app = await NestFactory.create(BenchModule, { bodyParser: false, logger: false });
    configureHttpApp(app, { jsonLimitBytes: 1024 });
    await app.listen(18190, '127.0.0.1');
    const host = `cl-o.${TENANT}`;
    const run = (path: string, headers: Record<string, string>) =>
      httpLoad({ port: 18190, seconds: SECONDS, concurrency: 32, next: () => ({ path, headers }) });
    await run('/bench/private', { Host: host, Authorization: `Bearer ${token}` }); // warm-up
    const open = await run('/bench/public', { Host: host });
    const closed = await run('/bench/private', {
      Host: host,
      Authorization: `Bearer ${token}`,
    });
    console.log(
      `unauthenticated no-op route: ${open.perSecond.toFixed(0)} req/s, p50 ${open.p50.toFixed(2)} ms, p99 ${open.p99.toFixed(2)} ms, errors ${open.errors}`,
    );
    console.log(
      `authenticated no-op route:   ${closed.perSecond.toFixed(0)} req/s, p50 ${closed.p50.toFixed(2)} ms, p99 ${closed.p99.toFixed(2)} ms, errors ${closed.errors}`,
    );
    console.log(
      `ratio authenticated / unauthenticated: ${(closed.perSecond / open.perSecond).toFixed(2)}`,
    );
  } finally {
    await app?.close();
    await nc.drain();
    await Promise.all([stopApp(identity), stopApp(auth)]);
    await dropSchema(databaseUrl, schemas.identity);
    await dropSchema(databaseUrl, schemas.auth);
  }
}

async function main(): Promise<void> {
  const natsUrl = requireEnv('NATS_URL');
  const databaseUrl = requireEnv('DATABASE_URL');
  console.log(`access-token verification, ${SECONDS} s each, ${TOKENS} distinct tokens, one core`);
  const { raw, guard } = await verifyRates();
  console.log(`raw jose jwtVerify (EdDSA):      ${raw.toFixed(0)} tokens/s`);
  console.log(`guard verifier (AccessTokenVerifier): ${guard.toFixed(0)} tokens/s`);
  console.log(`ratio guard / raw: ${(guard / raw).toFixed(2)} (goal ≥ 0.8)`);
  await routeRates(natsUrl, databaseUrl);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
