import {
  envBool,
  envBytes,
  envPort,
  envTenantHeaderSecret,
  envUrl,
  envUrlMap,
  parseEnv,
} from '@cloudillo/config';
import { isPeerMapName } from '@cloudillo/protocol';
import { z } from 'zod';

import { type FaultPoint } from './fault-points';

const schema = z.object({
  DATABASE_URL: envUrl(['postgresql', 'postgres']),
  NATS_URL: envUrl(['nats']),
  TENANT_HEADER_SECRET: envTenantHeaderSecret,
  REDIS_URL: envUrl(['redis', 'rediss']),
  FED_HTTP_HOST: z.string().default('127.0.0.1'),
  FED_HTTP_PORT: envPort(8103),
  FED_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('federation'),
  /** Inbox bodies carry tokens and related tokens (protocol §2.7: 16 MiB). */
  FED_JSON_LIMIT: envBytes('16m'),
  FED_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .default('cloudillo'),
  /** Local multi-node runs only (see identity): where peers' inboxes are. */
  FEDERATION_PEER_MAP: envUrlMap.refine(
    (map) => Object.keys(map).every(isPeerMapName),
    'names must be id_tags or *.<id_tag>',
  ),
  FED_PEER_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Delivery retries (protocol §2.6): first delay, doubling; attempts. */
  FED_DELIVERY_BACKOFF_MS: z.coerce.number().int().min(10).default(10_000),
  FED_DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).default(50),
  /** Verification retries (protocol §2.7): first delay, doubling; attempts, then status F. */
  FED_VERIFY_BACKOFF_MS: z.coerce.number().int().min(10).default(60_000),
  FED_VERIFY_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  /** How far in the future `iat` may lie, and the leeway on `exp`. */
  FED_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  FED_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(512).default(32),
  /** Tenants verified in parallel per process (each tenant's tokens in batches). */
  FED_VERIFY_CONCURRENCY: z.coerce.number().int().min(1).max(512).default(8),
  /**
   * Tokens arriving within this window are verified together: each batch costs a job, a claim,
   * a relationship read and one activation statement, so a busy tenant's inbox goes faster with
   * bigger batches (bench/federation-inbound: 25 ms → 316 tokens/s to active, 250 ms → 466).
   * A quiet tenant's token waits at most this long.
   */
  FED_VERIFY_BATCH_MS: z.coerce.number().int().min(1).max(10_000).default(200),
  /** How often waiting tokens whose trigger was lost (or whose retry is due) are looked for. */
  FED_VERIFY_SWEEP_MS: z.coerce.number().int().min(100).default(60_000),
  // How long a token whose parent or subject has not arrived yet is held (status V) before it is
  // refused; retried meanwhile with the verification backoff, and at once when the parent arrives.
  FED_VERIFY_HOLD_MS: z.coerce.number().int().min(1000).default(86_400_000),
  // Refused (F) tokens are kept this long for the tenant's leaders to look at, then purged (the
  // count per issuer stays); the purge runs this often.
  FED_REFUSED_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(7 * 86_400_000),
  FED_RETENTION_SWEEP_MS: z.coerce.number().int().min(100).default(3_600_000),
  // Dead-lettered deliveries kept at most this long, and at most this many.
  FED_DEAD_LETTER_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30 * 86_400_000),
  FED_DEAD_LETTER_MAX: z.coerce.number().int().min(1).default(100_000),
  // Crash tests only: the process kills itself at this point (see fault-points.ts).
  FED_FAULT_POINT: z.enum(['after-store']).optional(),
  /** Run the queue workers in this process (false: an HTTP-only replica). */
  FED_WORKERS: envBool(true),
  /** How long a job's lock lasts: a worker killed mid-job has its jobs taken up after this. */
  FED_QUEUE_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** How long after sending a follow the peer's history is fetched (it must have taken the FLLW). */
  FED_HISTORY_DELAY_MS: z.coerce.number().int().min(0).default(10_000),
  /** STAT coalescing window: interactions within it share one broadcast. */
  FED_STAT_DELAY_MS: z.coerce.number().int().min(10).default(5_000),
  /** Per-destination circuit breaker: failures that open it, first open period, longest one. */
  FED_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  FED_BREAKER_OPEN_MS: z.coerce.number().int().min(10).default(30_000),
  FED_BREAKER_MAX_OPEN_MS: z.coerce.number().int().min(10).default(3_600_000),
});

export interface FederationConfig {
  databaseUrl: string;
  dbSchema: string;
  natsUrl: string;
  /** Checks (services) or signs (gateway) the gateway's tenant header; unset: not used. */
  tenantHeaderSecret?: string | undefined;
  redisUrl: string;
  queuePrefix: string;
  http: { host: string; port: number; jsonLimitBytes: number };
  peers: Record<string, string>;
  peerTimeoutMs: number;
  delivery: { backoffMs: number; attempts: number; concurrency: number };
  verify: {
    backoffMs: number;
    attempts: number;
    concurrency: number;
    batchMs: number;
    sweepMs: number;
    holdMs: number;
  };
  clockSkewSeconds: number;
  workers: boolean;
  queueLockMs: number;
  statDelayMs: number;
  historyDelayMs: number;
  breaker: { threshold: number; openMs: number; maxOpenMs: number };
  retention: {
    refusedMs: number;
    sweepMs: number;
    deadLetterMaxAgeMs: number;
    deadLetterMax: number;
  };
  /** Crash tests only (`FED_FAULT_POINT`). */
  faultPoint?: FaultPoint | undefined;
}

export function loadFederationConfig(
  env: Record<string, string | undefined> = process.env,
): FederationConfig {
  const e = parseEnv(schema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.FED_DB_SCHEMA,
    natsUrl: e.NATS_URL,
    tenantHeaderSecret: e.TENANT_HEADER_SECRET,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.FED_QUEUE_PREFIX,
    http: { host: e.FED_HTTP_HOST, port: e.FED_HTTP_PORT, jsonLimitBytes: e.FED_JSON_LIMIT },
    peers: e.FEDERATION_PEER_MAP,
    peerTimeoutMs: e.FED_PEER_TIMEOUT_MS,
    delivery: {
      backoffMs: e.FED_DELIVERY_BACKOFF_MS,
      attempts: e.FED_DELIVERY_ATTEMPTS,
      concurrency: e.FED_DELIVERY_CONCURRENCY,
    },
    verify: {
      backoffMs: e.FED_VERIFY_BACKOFF_MS,
      attempts: e.FED_VERIFY_ATTEMPTS,
      concurrency: e.FED_VERIFY_CONCURRENCY,
      batchMs: e.FED_VERIFY_BATCH_MS,
      sweepMs: e.FED_VERIFY_SWEEP_MS,
      holdMs: e.FED_VERIFY_HOLD_MS,
    },
    clockSkewSeconds: e.FED_CLOCK_SKEW_SECONDS,
    workers: e.FED_WORKERS,
    queueLockMs: e.FED_QUEUE_LOCK_MS,
    statDelayMs: e.FED_STAT_DELAY_MS,
    historyDelayMs: e.FED_HISTORY_DELAY_MS,
    breaker: {
      threshold: e.FED_BREAKER_THRESHOLD,
      openMs: e.FED_BREAKER_OPEN_MS,
      maxOpenMs: e.FED_BREAKER_MAX_OPEN_MS,
    },
    retention: {
      refusedMs: e.FED_REFUSED_RETENTION_MS,
      sweepMs: e.FED_RETENTION_SWEEP_MS,
      deadLetterMaxAgeMs: e.FED_DEAD_LETTER_MAX_AGE_MS,
      deadLetterMax: e.FED_DEAD_LETTER_MAX,
    },
    ...(e.FED_FAULT_POINT ? { faultPoint: e.FED_FAULT_POINT } : {}),
  };
}
