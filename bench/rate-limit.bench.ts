/**
 * The per-IP rate limiter's cost per request at the gateway (`libs/rate-limit`): every request
 * counts in four fixed windows (host and network, short and hourly). Measured as the gateway pays
 * it — a request's check at CONCURRENCY requests in flight, from distinct addresses so that none
 * is refused — for `RateLimiter.consume` (one Redis script call for the four windows) and, as the
 * baseline in the same run, rate-limiter-flexible's `RateLimiterRedis` (one call per window, what
 * `RateLimiter` did before), on a plain ioredis client and on an auto-pipelining one.
 */
import { addressKeys, BUCKETS, RateLimiter } from '@cloudillo/rate-limit';
import { Redis, type RedisOptions } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';

import { cpuSnapshot, cpuSpent, requireEnv, secondsSince } from './harness';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 40_000);
const CONCURRENCY = 32;
const ROUNDS = 2;

/** Distinct addresses, 250 per /24: each stays far below its windows. */
function addressOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

type Check = (address: string) => Promise<boolean>;

/** `RateLimiter.consume` of the general bucket: allowed or not. */
function oneScript(redis: Redis, keyPrefix: string): Check {
  const limiter = new RateLimiter(redis, { keyPrefix });
  return async (address) => (await limiter.consume('general', address)).allowed;
}

/** The same four windows as four rate-limiter-flexible limiters, one Redis call each. */
function callPerWindow(redis: Redis, keyPrefix: string): Check {
  const { short, hourly } = BUCKETS.general;
  const limiter = (name: string, points: number, duration: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:${name}`,
      points,
      duration,
    });
  const windows = [
    limiter('s', short.points, short.seconds),
    limiter('h', hourly.points, hourly.seconds),
    limiter('sn', short.points * 4, short.seconds),
    limiter('hn', hourly.points * 4, hourly.seconds),
  ] as const;
  return async (address) => {
    const keys = addressKeys(address);
    if (!keys) return true;
    const results = await Promise.allSettled([
      windows[0].consume(keys.host),
      windows[1].consume(keys.host),
      windows[2].consume(keys.network),
      windows[3].consume(keys.network),
    ]);
    return results.every((r) => r.status === 'fulfilled');
  };
}

async function run(
  label: string,
  keyPrefix: string,
  make: (redis: Redis, keyPrefix: string) => Check,
  options: RedisOptions,
): Promise<{ perSecond: number; cpuMicros: number }> {
  const redis = new Redis(requireEnv('REDIS_URL'), options);
  const check = make(redis, keyPrefix);
  // Warm-up: scripts loaded, connections up, code optimised.
  for (let i = 0; i < 2_000; i++) await check(addressOf(REQUESTS + i));
  const cpu = () => cpuSnapshot({ bench: 'self', redis: /redis-server/ });
  const cpuBefore = cpu();
  const started = process.hrtime.bigint();
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        if (!(await check(addressOf(next++)))) refused++;
      }
    }),
  );
  const seconds = secondsSince(started);
  const cpuAfter = cpu();
  console.log(`  ${label}, CPU seconds ${cpuSpent(cpuBefore, cpuAfter)}`);
  const keys = await redis.keys(`${keyPrefix}*`);
  for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
  await redis.quit();
  if (refused > 0)
    throw new Error(`${refused} requests were refused: the bench measures admitted ones`);
  return {
    perSecond: REQUESTS / seconds,
    cpuMicros: (((cpuAfter['bench'] ?? 0) - (cpuBefore['bench'] ?? 0)) * 1e6) / REQUESTS,
  };
}

const VARIANTS = {
  'call per window (rate-limiter-flexible)': [callPerWindow, {}],
  'call per window, auto-pipelined': [callPerWindow, { enableAutoPipelining: true }],
  'one script (RateLimiter)': [oneScript, {}],
  'one script, auto-pipelined': [oneScript, { enableAutoPipelining: true }],
} as const;

async function main(): Promise<void> {
  const results = new Map<string, { perSecond: number[]; cpuMicros: number[] }>();
  // Alternated: this machine's speed drifts within minutes.
  for (let round = 0; round < ROUNDS; round++) {
    let i = 0;
    for (const [label, [make, options]] of Object.entries(VARIANTS)) {
      const result = await run(label, `bench-rl-${process.pid}-${i++}-${round}`, make, options);
      const kept = results.get(label) ?? { perSecond: [], cpuMicros: [] };
      kept.perSecond.push(result.perSecond);
      kept.cpuMicros.push(result.cpuMicros);
      results.set(label, kept);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const baseline = results.get('call per window (rate-limiter-flexible)');
  if (!baseline) return;
  for (const [label, r] of results) {
    console.log(
      `${label}: ${mean(r.perSecond).toFixed(0)} checks/s (${r.perSecond.map((x) => x.toFixed(0)).join(', ')}), ${mean(r.cpuMicros).toFixed(0)} µs CPU per check in the limiter's process (${r.cpuMicros.map((x) => x.toFixed(0)).join(', ')}); vs baseline: throughput ${(mean(r.perSecond) / mean(baseline.perSecond)).toFixed(2)}×, CPU ${(mean(r.cpuMicros) / mean(baseline.cpuMicros)).toFixed(2)}×`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
