import {
  envBytes,
  envCsv,
  envPort,
  envSecretKey32,
  envTenantHeaderSecret,
  envUrl,
  envUrlMap,
  parseEnv,
} from '@cloudillo/config';
import { idTagSchema, isIdTag, isPeerMapName } from '@cloudillo/protocol';
import { z } from 'zod';

import { defaultTenantName } from './tenants/tenant';

const DAY_MS = 24 * 60 * 60 * 1000;

const settings = z.object({
  DATABASE_URL: envUrl(['postgresql', 'postgres']),
  NATS_URL: envUrl(['nats']),
  TENANT_HEADER_SECRET: envTenantHeaderSecret,
  REDIS_URL: envUrl(['redis', 'rediss']),
  IDENTITY_HTTP_HOST: z.string().default('127.0.0.1'),
  IDENTITY_HTTP_PORT: envPort(8101),
  IDENTITY_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('identity'),
  IDENTITY_JSON_LIMIT: envBytes('1m'),
  IDENTITY_BASE_ID_TAG: idTagSchema,
  IDENTITY_BASE_NAME: z.string().min(1).max(200).optional(),
  /** Rotate a tenant's key once it is this old; 0 turns scheduled rotation off. */
  IDENTITY_KEY_ROTATION_DAYS: z.coerce.number().min(0).default(90),
  /**
   * When a replaced key is retired after a rotation (its `expiresAt`): it stays published for
   * good, but verifiers take it only for tokens issued before then.
   */
  IDENTITY_KEY_GRACE_DAYS: z.coerce.number().min(0).default(30),
  /**
   * A new key is published this long before it signs: peers that read the profile just before a
   * rotation (and refetch at most every so often) must see the key before a token names it.
   */
  IDENTITY_KEY_PUBLISH_LEAD_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60 * 1000),
  IDENTITY_KEY_ROTATION_CHECK_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(60 * 60 * 1000),
  /**
   * Local multi-node runs only: `id_tag=http://127.0.0.1:port,…` (or `*.<domain>=…` for every id_tag
   * under a domain) replaces https://cl-o.<id_tag>.
   */
  FEDERATION_PEER_MAP: envUrlMap.refine(
    (map) => Object.keys(map).every(isPeerMapName),
    'names must be id_tags or *.<id_tag>',
  ),
  IDENTITY_REMOTE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  IDENTITY_REMOTE_MAX_BYTES: envBytes('256k'),
  /** When set, this deployment is an identity provider for `<prefix>.<domain>` (protocol §1.5). */
  IDENTITY_IDP_DOMAIN: idTagSchema.optional(),
  IDENTITY_IDP_NAME: z.string().max(100).optional(),
  IDENTITY_IDP_INFO: z.string().max(1000).default(''),
  IDENTITY_IDP_URL: envUrl(['https', 'http']).optional(),
  /** Identity-provider quotas: identities per registrar, and the storage it may promise them. */
  IDENTITY_IDP_MAX_IDENTITIES: z.coerce.number().int().min(0).default(100),
  IDENTITY_IDP_MAX_STORAGE: envBytes('10g'),
  /** A registered identity must be activated within this many hours, or it is deleted. */
  IDENTITY_IDP_PENDING_HOURS: z.coerce.number().min(1).default(24),
  /** How long an activated identity lasts before it must be renewed. */
  IDENTITY_IDP_RENEWAL_DAYS: z.coerce.number().min(1).default(365),
  /** This provider's public addresses (IPs or host names): registered names must point here. */
  IDENTITY_PUBLIC_ADDRESSES: envCsv,
  /** Identity providers trusted for `<prefix>.<idp>` registrations (the reference's idp.list). */
  IDENTITY_IDP_LIST: envCsv.refine((list) => list.every(isIdTag), 'entries must be id_tags'),
  /** DNS servers for registration checks (host or host:port); empty means the system's. */
  IDENTITY_DNS_SERVERS: envCsv,
  /** Purges are announced again on this period, for this long, so a service that was down hears them. */
  IDENTITY_PURGE_REANNOUNCE_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(60 * 60 * 1000),
  IDENTITY_PURGE_REANNOUNCE_DAYS: z.coerce.number().min(0).default(7),
  IDENTITY_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .default('cloudillo'),
});

/** Secrets have no defaults and are never logged (parseEnv never echoes values). */
const secrets = z.object({
  IDENTITY_KEY_ENCRYPTION_KEY: envSecretKey32,
});

export interface IdentityConfig {
  databaseUrl: string;
  dbSchema: string;
  natsUrl: string;
  /** Checks (services) or signs (gateway) the gateway's tenant header; unset: not used. */
  tenantHeaderSecret?: string | undefined;
  redisUrl: string;
  queuePrefix: string;
  http: { host: string; port: number; jsonLimitBytes: number };
  /** The base tenant (server admin, role SADM) created on first start (protocol §1.6). */
  baseTenant: { idTag: string; name: string };
  keyRotation: { periodMs: number; graceMs: number; checkEveryMs: number; publishLeadMs: number };
  /** FEDERATION_PEER_MAP entries. */
  peers: Record<string, string>;
  registration: { addresses: string[]; identityProviders: string[]; dnsServers: string[] };
  /** The identity-provider role, when this deployment plays it. */
  idp?: {
    domain: string;
    name: string;
    info: string;
    url?: string;
    quota: { maxIdentities: number; maxStorageBytes: number };
    pendingMs: number;
    renewalMs: number;
  };
  /** Fetching peers' profiles: whole-fetch deadline and body cap. */
  remote: { timeoutMs: number; maxBytes: number };
  /** Re-announcing purges: how often, and for how long after the purge. */
  purge: { reannounceEveryMs: number; reannounceForMs: number };
  /** The key-encryption key sealing tenants' private keys at rest (AES-256-GCM). */
  keyEncryptionKey: Buffer;
}

export function loadIdentityConfig(
  env: Record<string, string | undefined> = process.env,
): IdentityConfig {
  const e = parseEnv(settings.and(secrets), env);
  return {
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.IDENTITY_DB_SCHEMA,
    natsUrl: e.NATS_URL,
    tenantHeaderSecret: e.TENANT_HEADER_SECRET,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.IDENTITY_QUEUE_PREFIX,
    http: {
      host: e.IDENTITY_HTTP_HOST,
      port: e.IDENTITY_HTTP_PORT,
      jsonLimitBytes: e.IDENTITY_JSON_LIMIT,
    },
    baseTenant: {
      idTag: e.IDENTITY_BASE_ID_TAG,
      name: e.IDENTITY_BASE_NAME ?? defaultTenantName(e.IDENTITY_BASE_ID_TAG),
    },
    keyRotation: {
      periodMs: e.IDENTITY_KEY_ROTATION_DAYS * DAY_MS,
      graceMs: e.IDENTITY_KEY_GRACE_DAYS * DAY_MS,
      checkEveryMs: e.IDENTITY_KEY_ROTATION_CHECK_MS,
      publishLeadMs: e.IDENTITY_KEY_PUBLISH_LEAD_MS,
    },
    keyEncryptionKey: e.IDENTITY_KEY_ENCRYPTION_KEY,
    purge: {
      reannounceEveryMs: e.IDENTITY_PURGE_REANNOUNCE_MS,
      reannounceForMs: e.IDENTITY_PURGE_REANNOUNCE_DAYS * DAY_MS,
    },
    peers: e.FEDERATION_PEER_MAP,
    registration: {
      addresses: e.IDENTITY_PUBLIC_ADDRESSES,
      identityProviders: e.IDENTITY_IDP_LIST,
      dnsServers: e.IDENTITY_DNS_SERVERS,
    },
    ...(e.IDENTITY_IDP_DOMAIN
      ? {
          idp: {
            domain: e.IDENTITY_IDP_DOMAIN,
            name: e.IDENTITY_IDP_NAME ?? e.IDENTITY_IDP_DOMAIN,
            info: e.IDENTITY_IDP_INFO,
            quota: {
              maxIdentities: e.IDENTITY_IDP_MAX_IDENTITIES,
              maxStorageBytes: e.IDENTITY_IDP_MAX_STORAGE,
            },
            pendingMs: e.IDENTITY_IDP_PENDING_HOURS * 60 * 60 * 1000,
            renewalMs: e.IDENTITY_IDP_RENEWAL_DAYS * DAY_MS,
            ...(e.IDENTITY_IDP_URL ? { url: e.IDENTITY_IDP_URL } : {}),
          },
        }
      : {}),
    remote: { timeoutMs: e.IDENTITY_REMOTE_TIMEOUT_MS, maxBytes: e.IDENTITY_REMOTE_MAX_BYTES },
  };
}
