import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { ContractClient } from '@cloudillo/contracts';
import { deployMigrations, pgTargetFromUrl, serviceDatabases } from '@cloudillo/db-migrator';
import { NatsRpcTransport } from '@cloudillo/messaging';
import { buildStack, startNatsServer, type TestNatsServer } from '@cloudillo/testing';
import { connect, type NatsConnection } from 'nats';

import { benchStore, dropSchema, ROOT, startApp, stopApp } from './harness';

/**
 * A whole deployment as separate processes (identity, access-token, action-federation, blob,
 * gateway; collaboration when asked for).
 */
export interface Deployment {
  ports: {
    identity: number;
    auth: number;
    federation: number;
    blob: number;
    gateway: number;
    collaboration: number;
  };
  schemas: { identity: string; auth: string; federation: string; blob: string; collab?: string };
  /** The blob service's bucket (its own; removed with everything in it when stopped). */
  bucket: string;
  nats: TestNatsServer;
  rpc: ContractClient;
  processes: Record<'identity' | 'auth' | 'federation' | 'blob' | 'gateway', ChildProcess> & {
    collaboration?: ChildProcess;
  };
  stop(): Promise<void>;
}

async function migrate(databaseUrl: string, service: string, schema: string): Promise<void> {
  const db = serviceDatabases(ROOT).find((d) => d.service === service);
  if (!db) throw new Error(`no ${service} database`);
  await deployMigrations(db, pgTargetFromUrl(databaseUrl, schema));
}

/**
 * Starts one deployment from the build, with a private NATS server and schemas of its own.
 * `peers` is the FEDERATION_PEER_MAP (other deployments); `federationEnv` tunes the service.
 */
export async function startDeployment(options: {
  databaseUrl: string;
  name: string;
  basePort: number;
  baseIdTag: string;
  peers?: Record<string, string>;
  federationEnv?: Record<string, string>;
  blobEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  /** Also start the collaboration service (the gateway routes /ws/* to it); off by default. */
  collaboration?: boolean;
  collaborationEnv?: Record<string, string>;
}): Promise<Deployment> {
  const { databaseUrl, name, basePort } = options;
  // Closed newest first by `stop`, or at once when a later step of start-up fails.
  return buildStack(async (teardown) => {
    const nats = teardown.add(await startNatsServer(), (server) => server.stop());
    const ports = {
      identity: basePort + 1,
      auth: basePort + 2,
      federation: basePort + 3,
      blob: basePort + 4,
      collaboration: basePort + 5,
      gateway: basePort,
    };
    const schemas: Deployment['schemas'] = {
      identity: `bench_${name}_id_${process.pid}`,
      auth: `bench_${name}_auth_${process.pid}`,
      federation: `bench_${name}_fed_${process.pid}`,
      blob: `bench_${name}_blob_${process.pid}`,
      ...(options.collaboration ? { collab: `bench_${name}_collab_${process.pid}` } : {}),
    };
    const bucket = `bench-${name}-${process.pid}`.toLowerCase().replaceAll('_', '-');
    teardown.add(schemas, async (all) => {
      for (const schema of Object.values(all)) await dropSchema(databaseUrl, schema);
    });
    teardown.add(bucket, (created) => benchStore(created).destroyBucket());
    await migrate(databaseUrl, 'identity', schemas.identity);
    await migrate(databaseUrl, 'access-token', schemas.auth);
    await migrate(databaseUrl, 'action-federation', schemas.federation);
    await migrate(databaseUrl, 'blob', schemas.blob);
    if (schemas.collab) await migrate(databaseUrl, 'collaboration', schemas.collab);
    const common = {
      NATS_URL: nats.url,
      FEDERATION_PEER_MAP: Object.entries(options.peers ?? {})
        .map(([peer, url]) => `${peer}=${url}`)
        .join(','),
    };
    // Stopped first on close, each until it has exited, before its schema and NATS go.
    const start = async (app: string, env: Record<string, string>): Promise<ChildProcess> =>
      teardown.add(await startApp(app, env), stopApp);
    const identity = await start('identity', {
      ...common,
      IDENTITY_DB_SCHEMA: schemas.identity,
      IDENTITY_HTTP_PORT: String(ports.identity),
      IDENTITY_BASE_ID_TAG: options.baseIdTag,
      IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      IDENTITY_QUEUE_PREFIX: schemas.identity,
    });
    const auth = await start('access-token', {
      ...common,
      AUTH_DB_SCHEMA: schemas.auth,
      AUTH_HTTP_PORT: String(ports.auth),
      AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    const federation = await start('action-federation', {
      ...common,
      FED_DB_SCHEMA: schemas.federation,
      FED_HTTP_PORT: String(ports.federation),
      FED_QUEUE_PREFIX: schemas.federation,
      ...options.federationEnv,
    });
    const blob = await start('blob', {
      ...common,
      BLOB_DB_SCHEMA: schemas.blob,
      BLOB_HTTP_PORT: String(ports.blob),
      BLOB_BUCKET: bucket,
      // As deployed (helm values `blob.nodeOptions`, `blob.mallocArenaMax`).
      MALLOC_ARENA_MAX: '2',
      NODE_OPTIONS: '--max-semi-space-size=1',
      ...options.blobEnv,
    });
    // As deployed (helm: REDIS_URL from the infra env, so documents are shared through Redis).
    const collaboration = schemas.collab
      ? await start('collaboration', {
          ...common,
          COLLAB_DB_SCHEMA: schemas.collab,
          COLLAB_HTTP_PORT: String(ports.collaboration),
          COLLAB_REDIS_PREFIX: schemas.collab,
          COLLAB_COMPACT_AFTER: '500',
          ...options.collaborationEnv,
        })
      : undefined;
    const gateway = await start('gateway', {
      ...common,
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_UPSTREAMS: [
        `identity=http://127.0.0.1:${ports.identity}`,
        `access-token=http://127.0.0.1:${ports.auth}`,
        `action-federation=http://127.0.0.1:${ports.federation}`,
        `blob=http://127.0.0.1:${ports.blob}`,
        ...(collaboration ? [`collaboration=http://127.0.0.1:${ports.collaboration}`] : []),
      ].join(','),
      // One client address sending thousands of requests: per-IP limits would measure themselves
      // (their behaviour is tested in apps/gateway and the federation bad-input suite).
      GATEWAY_RATE_LIMITS: 'false',
      ...options.gatewayEnv,
    });
    const processes = {
      identity,
      auth,
      federation,
      blob,
      gateway,
      ...(collaboration ? { collaboration } : {}),
    };
    const nc: NatsConnection = teardown.add(await connect({ servers: nats.url }), (c) => c.drain());
    return {
      ports,
      schemas,
      bucket,
      nats,
      rpc: new ContractClient(new NatsRpcTransport(nc)),
      processes,
      stop: () => teardown.close(),
    };
  });
}
