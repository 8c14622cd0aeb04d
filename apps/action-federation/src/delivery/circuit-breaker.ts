import { type Redis } from 'ioredis';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  threshold: number;
  /** First open period; it doubles with every failed probe, up to `maxOpenMs`. */
  openMs: number;
  maxOpenMs: number;
  /** How long one probe holds the half-open circuit before another may try. */
  probeMs: number;
}

// Atomic in Redis, so every replica's workers share one view of a destination.
const ADMIT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
if openUntil == 0 then return 0 end
local now = tonumber(ARGV[1])
if now < openUntil then return openUntil end
local probeUntil = tonumber(redis.call('HGET', KEYS[1], 'probeUntil') or '0')
if now < probeUntil then return probeUntil end
redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[2]))
return 0`;

const FAIL = `
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local threshold = tonumber(ARGV[2])
if failures >= threshold then
  local open = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(failures - threshold, 30))
  redis.call('HSET', KEYS[1], 'openUntil', tonumber(ARGV[1]) + open, 'probeUntil', 0)
end
redis.call('PEXPIRE', KEYS[1], 86400000)
return failures`;

/**
 * A per-destination circuit breaker for deliveries (beyond the reference): after `threshold`
 * consecutive failures the destination is not contacted until its open period ends; then one
 * probe goes through, and only its success closes the circuit. A dead peer costs one probe per
 * period, not one request per queued delivery.
 */
export class CircuitBreaker {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: CircuitBreakerOptions,
  ) {}

  private key(destination: string): string {
    return `${this.prefix}:breaker:${destination}`;
  }

  /**
   * -1 when the destination has no failures on record, 0 when a request may go now despite some,
   * otherwise the time (ms) to try again.
   */
  async admit(destination: string, now: number): Promise<number> {
    const retryAt = await this.redis.eval(
      ADMIT,
      1,
      this.key(destination),
      now,
      this.options.probeMs,
    );
    return Number(retryAt);
  }

  async succeeded(destination: string): Promise<void> {
    await this.redis.del(this.key(destination));
  }

  async failed(destination: string, now: number): Promise<void> {
    await this.redis.eval(
      FAIL,
      1,
      this.key(destination),
      now,
      this.options.threshold,
      this.options.openMs,
      this.options.maxOpenMs,
    );
  }

  /** A destination's consecutive failures, and until when its circuit is open (if it is). */
  async state(destination: string): Promise<{ failures: number; openUntil?: number }> {
    const fields = await this.redis.hgetall(this.key(destination));
    const failures = Number(fields['failures'] ?? 0);
    const openUntil = Number(fields['openUntil'] ?? 0);
    return openUntil > 0 ? { failures, openUntil } : { failures };
  }
}
