import {
  envBytes,
  envPort,
  envSecretKey32,
  envTenantHeaderSecret,
  envUrl,
  envUrlMap,
  parseEnv,
} from '@cloudillo/config';
import { ACCESS_TOKEN_TTL_SECONDS, isPeerMapName } from '@cloudillo/protocol';
import { z } from 'zod';

const settings = z.object({
  DATABASE_URL: envUrl(['postgresql', 'postgres']),
  NATS_URL: envUrl(['nats']),
  TENANT_HEADER_SECRET: envTenantHeaderSecret,
  REDIS_URL: envUrl(['redis', 'rediss']),
  /** The gateway's rate-limit keys: a failed login is charged where the gateway counts. */
  GATEWAY_RATE_LIMIT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('cloudillo:rl'),
  /** Points a failed login costs on the auth bucket (5 or so: 2 failures exhaust a burst of 10). */
  AUTH_LOGIN_FAILURE_PENALTY: z.coerce.number().int().min(0).max(100).default(4),
  AUTH_HTTP_HOST: z.string().default('127.0.0.1'),
  AUTH_HTTP_PORT: envPort(8102),
  AUTH_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('auth'),
  AUTH_JSON_LIMIT: envBytes('64k'),
  AUTH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(ACCESS_TOKEN_TTL_SECONDS),
  /** How long a failed login waits before answering (protocol §8.1: the reference sleeps 1 s). */
  /** SMTP for welcome and reset links (`smtp://user:pass@host:587`); unset: mails go to the log. */
  AUTH_SMTP_URL: envUrl(['smtp', 'smtps']).optional(),
  AUTH_MAIL_FROM: z.string().min(3).max(200).default('Cloudillo <no-reply@localhost>'),
  /**
   * Local multi-node runs only: `id_tag=http://127.0.0.1:port,…` (or `*.<domain>=…` for every id_tag
   * under a domain) replaces https://cl-o.<id_tag>.
   */
  FEDERATION_PEER_MAP: envUrlMap.refine(
    (map) => Object.keys(map).every(isPeerMapName),
    'names must be id_tags or *.<id_tag>',
  ),
  AUTH_PEER_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Replace the access-token signing key once it is this old; 0 turns rotation off. */
  AUTH_SIGNING_KEY_ROTATION_DAYS: z.coerce.number().min(0).default(30),
  AUTH_SIGNING_KEY_CHECK_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(60 * 60 * 1000),
  AUTH_LOGIN_FAILURE_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(1_000),
});

const secrets = z.object({
  /** Seals the service's access-token signing keys at rest. */
  AUTH_KEY_ENCRYPTION_KEY: envSecretKey32,
});

export interface AuthConfig {
  databaseUrl: string;
  dbSchema: string;
  natsUrl: string;
  /** Checks (services) or signs (gateway) the gateway's tenant header; unset: not used. */
  tenantHeaderSecret?: string | undefined;
  redisUrl: string;
  /** Failed logins are charged on the gateway's per-IP auth bucket. */
  loginPenalty: { keyPrefix: string; points: number };
  http: { host: string; port: number; jsonLimitBytes: number };
  tokenTtlSeconds: number;
  signingKeyRotationMs: number;
  signingKeyCheckMs: number;
  /** FEDERATION_PEER_MAP entries, and the deadline of a token exchange at a peer. */
  peers: Record<string, string>;
  peerTimeoutMs: number;
  mail: { smtpUrl?: string; from: string };
  loginFailureDelayMs: number;
  keyEncryptionKey: Buffer;
}

export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const e = parseEnv(settings.and(secrets), env);
  return {
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.AUTH_DB_SCHEMA,
    natsUrl: e.NATS_URL,
    tenantHeaderSecret: e.TENANT_HEADER_SECRET,
    redisUrl: e.REDIS_URL,
    loginPenalty: { keyPrefix: e.GATEWAY_RATE_LIMIT_PREFIX, points: e.AUTH_LOGIN_FAILURE_PENALTY },
    http: { host: e.AUTH_HTTP_HOST, port: e.AUTH_HTTP_PORT, jsonLimitBytes: e.AUTH_JSON_LIMIT },
    tokenTtlSeconds: e.AUTH_TOKEN_TTL_SECONDS,
    signingKeyRotationMs: e.AUTH_SIGNING_KEY_ROTATION_DAYS * 24 * 60 * 60 * 1000,
    signingKeyCheckMs: e.AUTH_SIGNING_KEY_CHECK_MS,
    peers: e.FEDERATION_PEER_MAP,
    peerTimeoutMs: e.AUTH_PEER_TIMEOUT_MS,
    mail: { ...(e.AUTH_SMTP_URL ? { smtpUrl: e.AUTH_SMTP_URL } : {}), from: e.AUTH_MAIL_FROM },
    loginFailureDelayMs: e.AUTH_LOGIN_FAILURE_DELAY_MS,
    keyEncryptionKey: e.AUTH_KEY_ENCRYPTION_KEY,
  };
}
