import { randomBytes } from 'node:crypto';

import { type INestApplication } from '@nestjs/common';
import {
  buildStack,
  createTestSchema,
  testInfra,
  type TestSchema,
  uniqueName,
} from '@cloudillo/testing';

import { type AuthDeps } from '../src/app.module';
import { type AuthConfig } from '../src/config';
import { startAccessToken } from '../src/access-token-app';

/** A running access-token service on a given NATS server, with its own schema. */
export interface AuthHarness {
  app: INestApplication;
  port: number;
  config: AuthConfig;
  schema: TestSchema;
  close(): Promise<void>;
}

export function testAuthConfig(options: {
  dbSchema: string;
  natsUrl: string;
  keyEncryptionKey?: Buffer;
  loginFailureDelayMs?: number;
  rateLimitPrefix?: string;
  smtpUrl?: string;
  peers?: Record<string, string>;
  /** The gateway's in front: its signed tenant header is then taken without resolving. */
  tenantHeaderSecret?: string;
}): AuthConfig {
  return {
    databaseUrl: testInfra().databaseUrl,
    dbSchema: options.dbSchema,
    natsUrl: options.natsUrl,
    tenantHeaderSecret: options.tenantHeaderSecret,
    redisUrl: testInfra().redisUrl,
    loginPenalty: { keyPrefix: options.rateLimitPrefix ?? uniqueName('rl'), points: 4 },
    http: { host: '127.0.0.1', port: 0, jsonLimitBytes: 64 * 1024 },
    tokenTtlSeconds: 3600,
    signingKeyRotationMs: 30 * 24 * 60 * 60 * 1000,
    signingKeyCheckMs: 60 * 60 * 1000,
    peers: options.peers ?? {},
    peerTimeoutMs: 5_000,
    mail: {
      ...(options.smtpUrl ? { smtpUrl: options.smtpUrl } : {}),
      from: 'Cloudillo <test@localhost>',
    },
    loginFailureDelayMs: options.loginFailureDelayMs ?? 50,
    keyEncryptionKey: options.keyEncryptionKey ?? randomBytes(32),
  };
}

export async function startTestAccessToken(options: {
  natsUrl: string;
  schema?: TestSchema;
  keyEncryptionKey?: Buffer;
  loginFailureDelayMs?: number;
  rateLimitPrefix?: string;
  smtpUrl?: string;
  peers?: Record<string, string>;
  tenantHeaderSecret?: string;
  deps?: AuthDeps;
}): Promise<AuthHarness> {
  return buildStack(async (teardown) => {
    // A schema handed in belongs to the caller, who drops it.
    const schema =
      options.schema ?? teardown.add(await createTestSchema('access-token'), (s) => s.drop());
    const config = testAuthConfig({ ...options, dbSchema: schema.schema });
    const app = teardown.add(
      await startAccessToken(config, { logger: false, ...options.deps }),
      (a) => a.close(),
    );
    return {
      app,
      port: (app.getHttpServer().address() as { port: number }).port,
      config,
      schema,
      close: () => teardown.close(),
    };
  });
}
