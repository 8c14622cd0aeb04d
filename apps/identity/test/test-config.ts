import { randomBytes } from 'node:crypto';

import { testInfra, uniqueName } from '@cloudillo/testing';

import { type IdentityConfig } from '../src/config';

const DAY_MS = 24 * 60 * 60 * 1000;

/** An identity configuration for one test file: its own schema, NATS server, queue prefix and KEK. */
export function testIdentityConfig(options: {
  dbSchema: string;
  natsUrl: string;
  baseIdTag: string;
  baseName?: string;
  keyRotation?: Partial<IdentityConfig['keyRotation']>;
  keyEncryptionKey?: Buffer;
  peers?: Record<string, string>;
  remote?: Partial<IdentityConfig['remote']>;
  idp?: Pick<NonNullable<IdentityConfig['idp']>, 'domain' | 'name' | 'info' | 'url'> &
    Partial<NonNullable<IdentityConfig['idp']>>;
  registration?: Partial<IdentityConfig['registration']>;
  purge?: Partial<IdentityConfig['purge']>;
  tenantHeaderSecret?: string;
}): IdentityConfig {
  const infra = testInfra();
  return {
    databaseUrl: infra.databaseUrl,
    dbSchema: options.dbSchema,
    natsUrl: options.natsUrl,
    ...(options.tenantHeaderSecret ? { tenantHeaderSecret: options.tenantHeaderSecret } : {}),
    redisUrl: infra.redisUrl,
    queuePrefix: uniqueName('q').toLowerCase(),
    http: { host: '127.0.0.1', port: 0, jsonLimitBytes: 1024 * 1024 },
    baseTenant: { idTag: options.baseIdTag, name: options.baseName ?? 'Base' },
    keyRotation: {
      periodMs: 90 * DAY_MS,
      graceMs: 30 * DAY_MS,
      checkEveryMs: 60 * 60 * 1000,
      publishLeadMs: 10 * 60 * 1000,
      ...options.keyRotation,
    },
    keyEncryptionKey: options.keyEncryptionKey ?? randomBytes(32),
    peers: options.peers ?? {},
    registration: { addresses: [], identityProviders: [], dnsServers: [], ...options.registration },
    ...(options.idp
      ? {
          idp: {
            quota: { maxIdentities: 100, maxStorageBytes: 10 * 1024 ** 3 },
            pendingMs: DAY_MS,
            renewalMs: 365 * DAY_MS,
            ...options.idp,
          },
        }
      : {}),
    remote: { timeoutMs: 2_000, maxBytes: 256 * 1024, ...options.remote },
    purge: { reannounceEveryMs: 60 * 60 * 1000, reannounceForMs: 7 * DAY_MS, ...options.purge },
  };
}
