import { type ServiceProcess, spawnService } from '@cloudillo/testing';

import { type FederationConfig } from '../src/config';

/** The environment `loadFederationConfig` reads back into `config`. */
export function federationEnv(config: FederationConfig): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    FED_DB_SCHEMA: config.dbSchema,
    NATS_URL: config.natsUrl,
    ...(config.tenantHeaderSecret ? { TENANT_HEADER_SECRET: config.tenantHeaderSecret } : {}),
    REDIS_URL: config.redisUrl,
    FED_QUEUE_PREFIX: config.queuePrefix,
    FED_HTTP_HOST: config.http.host,
    FED_HTTP_PORT: String(config.http.port),
    FEDERATION_PEER_MAP: Object.entries(config.peers)
      .map(([name, url]) => `${name}=${url}`)
      .join(','),
    FED_PEER_TIMEOUT_MS: String(config.peerTimeoutMs),
    FED_DELIVERY_BACKOFF_MS: String(config.delivery.backoffMs),
    FED_DELIVERY_ATTEMPTS: String(config.delivery.attempts),
    FED_DELIVERY_CONCURRENCY: String(config.delivery.concurrency),
    FED_VERIFY_BACKOFF_MS: String(config.verify.backoffMs),
    FED_VERIFY_ATTEMPTS: String(config.verify.attempts),
    FED_VERIFY_CONCURRENCY: String(config.verify.concurrency),
    FED_VERIFY_BATCH_MS: String(config.verify.batchMs),
    FED_VERIFY_SWEEP_MS: String(config.verify.sweepMs),
    FED_VERIFY_HOLD_MS: String(config.verify.holdMs),
    FED_REFUSED_RETENTION_MS: String(config.retention.refusedMs),
    FED_RETENTION_SWEEP_MS: String(config.retention.sweepMs),
    FED_DEAD_LETTER_MAX_AGE_MS: String(config.retention.deadLetterMaxAgeMs),
    FED_DEAD_LETTER_MAX: String(config.retention.deadLetterMax),
    ...(config.faultPoint ? { FED_FAULT_POINT: config.faultPoint } : {}),
    FED_CLOCK_SKEW_SECONDS: String(config.clockSkewSeconds),
    FED_WORKERS: String(config.workers),
    FED_QUEUE_LOCK_MS: String(config.queueLockMs),
    FED_STAT_DELAY_MS: String(config.statDelayMs),
    FED_HISTORY_DELAY_MS: String(config.historyDelayMs),
    FED_BREAKER_THRESHOLD: String(config.breaker.threshold),
    FED_BREAKER_OPEN_MS: String(config.breaker.openMs),
    FED_BREAKER_MAX_OPEN_MS: String(config.breaker.maxOpenMs),
  };
}

export type FederationProcess = ServiceProcess;

/** The action-federation service in a process of its own, for tests that must kill it for real. */
export function spawnFederation(config: FederationConfig): Promise<FederationProcess> {
  return spawnService('action-federation', federationEnv(config));
}
