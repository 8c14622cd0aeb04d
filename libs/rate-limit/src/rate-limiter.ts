import { type Redis } from 'ioredis';

import { addressKeys } from './address-keys';
import { type BucketLimits, BUCKETS, type BucketName, type Window } from './buckets';
import { type WindowCounter, WindowCounters } from './window-counters';

export interface RateLimitOptions {
  /** Redis key prefix: one per deployment (tests use their own). */
  keyPrefix: string;
  /** A network (/24, /48) gets this many times a host's allowance: NATs and offices share one. */
  networkFactor?: number;
  /**
   * In a bucket counted per receiving tenant, an address gets this many times a host's allowance
   * across all tenants (the ceiling a peer spreading over many tenants meets).
   */
  receiverFactor?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

function scaled(window: Window, factor: number): Window {
  return { points: window.points * factor, seconds: window.seconds };
}

/**
 * Per-IP limits shared by every replica through Redis: each request counts in four fixed windows
 * (host and network, short and hourly). When Redis cannot be reached, counters in memory with the
 * same limits stand in (per replica), so an outage neither opens the gates wide nor closes them.
 */
export class RateLimiter {
  private readonly counters: WindowCounters;

  constructor(
    redis: Redis,
    private readonly options: RateLimitOptions,
  ) {
    this.counters = new WindowCounters(redis);
  }

  /**
   * Counts one request (or `points`) from `address` against `bucket`; `receiver` (the tenant the
   * request is for) separates the allowances of a bucket counted per receiver.
   */
  async consume(
    bucket: BucketName,
    address: string,
    points = 1,
    receiver?: string,
  ): Promise<RateDecision> {
    const keys = addressKeys(address);
    if (!keys) return { allowed: true }; // not an IP (a unix socket): nothing to key on
    const windows = this.windowsFor(bucket, keys, receiver);
    const counted = await this.counters.add(windows, points);
    let retryAfterMs = 0;
    counted.forEach(({ count, msLeft }, i) => {
      if (count > (windows[i] as WindowCounter).points)
        retryAfterMs = Math.max(retryAfterMs, msLeft);
    });
    return retryAfterMs === 0
      ? { allowed: true }
      : { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
  }

  /** Charges extra points (a failed login): the address reaches its limit sooner. */
  async penalize(bucket: BucketName, address: string, points: number): Promise<void> {
    const keys = addressKeys(address);
    if (!keys) return;
    await this.counters.add(this.windowsFor(bucket, keys), points);
  }

  private windowsFor(
    bucket: BucketName,
    keys: { host: string; network: string },
    receiver?: string,
  ): WindowCounter[] {
    const factor = this.options.networkFactor ?? 4;
    const limits: BucketLimits = BUCKETS[bucket];
    const { short, hourly } = limits;
    const window = (name: string, limit: Window, key: string): WindowCounter => ({
      // rate-limiter-flexible's key layout: limiters of the previous release count along.
      key: `${this.options.keyPrefix}:${bucket}:${name}:${key}`,
      points: limit.points,
      seconds: limit.seconds,
    });
    if (!limits.perReceiver || !receiver) {
      return [
        window('s', short, keys.host),
        window('h', hourly, keys.host),
        window('sn', scaled(short, factor), keys.network),
        window('hn', scaled(hourly, factor), keys.network),
      ];
    }
    const ceiling = this.options.receiverFactor ?? 20;
    return [
      window('s', short, `${keys.host}>${receiver}`),
      window('h', hourly, `${keys.host}>${receiver}`),
      window('sn', scaled(short, factor), `${keys.network}>${receiver}`),
      window('hn', scaled(hourly, factor), `${keys.network}>${receiver}`),
      window('sa', scaled(short, ceiling), keys.host),
      window('ha', scaled(hourly, ceiling), keys.host),
    ];
  }
}
