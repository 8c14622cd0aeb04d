import { type Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

import { addressKeys } from './address-keys';
import { BUCKETS, type BucketName, type Window } from './buckets';

export interface RateLimitOptions {
  /** Redis key prefix: one per deployment (tests use their own). */
  keyPrefix: string;
  /** A network (/24, /48) gets this many times a host's allowance: NATs and offices share one. */
  networkFactor?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Limiter {
  consume(key: string, points: number): Promise<unknown>;
  penalty(key: string, points: number): Promise<unknown>;
}

function scaled(window: Window, factor: number): Window {
  return { points: window.points * factor, seconds: window.seconds };
}

/**
 * Per-IP limits shared by every replica through Redis. When Redis cannot be reached, an in-memory
 * limiter with the same limits stands in (per replica), so an outage neither opens the gates
 * wide nor closes them.
 */
export class RateLimiter {
  private readonly limiters = new Map<string, Limiter>();

  constructor(
    private readonly redis: Redis,
    private readonly options: RateLimitOptions,
  ) {}

  /** Counts one request (or `points`) from `address` against `bucket`. */
  async consume(bucket: BucketName, address: string, points = 1): Promise<RateDecision> {
    const keys = addressKeys(address);
    if (!keys) return { allowed: true }; // not an IP (a unix socket): nothing to key on
    const checks = this.checksFor(bucket, keys).map(([limiter, key]) =>
      limiter.consume(key, points),
    );
    const results = await Promise.allSettled(checks);
    let retryAfterMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      retryAfterMs = Math.max(retryAfterMs, result.reason.msBeforeNext);
    }
    return retryAfterMs === 0
      ? { allowed: true }
      : { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
  }

  /** Charges extra points (a failed login): the address reaches its limit sooner. */
  async penalize(bucket: BucketName, address: string, points: number): Promise<void> {
    const keys = addressKeys(address);
    if (!keys) return;
    await Promise.all(
      this.checksFor(bucket, keys).map(([limiter, key]) => limiter.penalty(key, points)),
    );
  }

  private checksFor(
    bucket: BucketName,
    keys: { host: string; network: string },
  ): [Limiter, string][] {
    const factor = this.options.networkFactor ?? 4;
    const { short, hourly } = BUCKETS[bucket];
    return [
      [this.limiter(`${bucket}:s`, short), keys.host],
      [this.limiter(`${bucket}:h`, hourly), keys.host],
      [this.limiter(`${bucket}:sn`, scaled(short, factor)), keys.network],
      [this.limiter(`${bucket}:hn`, scaled(hourly, factor)), keys.network],
    ];
  }

  private limiter(name: string, window: Window): Limiter {
    let limiter = this.limiters.get(name);
    if (!limiter) {
      const settings = {
        points: window.points,
        duration: window.seconds,
        keyPrefix: `${this.options.keyPrefix}:${name}`,
      };
      limiter = new RateLimiterRedis({
        ...settings,
        storeClient: this.redis,
        insuranceLimiter: new RateLimiterMemory(settings),
      });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}
