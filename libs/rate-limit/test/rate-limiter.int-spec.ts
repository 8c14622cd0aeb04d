import { freePort, testInfra, uniqueName } from '@cloudillo/testing';
import { Redis } from 'ioredis';

import { RateLimiter } from '../src';

describe('RateLimiter on a real Redis', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(testInfra().redisUrl, { enableOfflineQueue: true });
  });
  afterAll(async () => {
    await redis.quit();
  });

  const limiter = (networkFactor = 4) =>
    new RateLimiter(redis, { keyPrefix: uniqueName('rl'), networkFactor });

  it('allows the auth burst, then refuses that address with a retry time, and only that address', async () => {
    const rl = limiter();
    for (let i = 0; i < 10; i++) {
      expect(await rl.consume('auth', '198.51.100.1')).toEqual({ allowed: true });
    }
    const refused = await rl.consume('auth', '198.51.100.1');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(2);
    expect(await rl.consume('auth', '198.51.100.2')).toEqual({ allowed: true });
    expect(await rl.consume('general', '198.51.100.1')).toEqual({ allowed: true });
  });

  it('limits a whole /24 at networkFactor times a host’s allowance, leaving other networks alone', async () => {
    const rl = limiter(2);
    let allowed = 0;
    for (let host = 1; host <= 25; host++) {
      if ((await rl.consume('auth', `192.0.2.${host}`)).allowed) allowed++;
    }
    expect(allowed).toBe(20);
    expect((await rl.consume('auth', '192.0.3.1')).allowed).toBe(true);
  });

  it('keys IPv6 clients by /64 and /48', async () => {
    const rl = limiter(1);
    for (let i = 0; i < 10; i++) await rl.consume('auth', `2001:db8:5:6::${i + 1}`);
    expect((await rl.consume('auth', '2001:db8:5:6::ff')).allowed).toBe(false);
    expect((await rl.consume('auth', '2001:db8:5:7::1')).allowed).toBe(false); // same /48, factor 1
    expect((await rl.consume('auth', '2001:db8:6::1')).allowed).toBe(true);
  });

  it('penalties bring the refusal sooner, and are shared by every limiter on the same Redis', async () => {
    const prefix = uniqueName('rl');
    const a = new RateLimiter(redis, { keyPrefix: prefix });
    const b = new RateLimiter(redis, { keyPrefix: prefix });
    await a.penalize('auth', '203.0.113.9', 9);
    expect((await b.consume('auth', '203.0.113.9')).allowed).toBe(true);
    expect((await b.consume('auth', '203.0.113.9')).allowed).toBe(false);
  });

  it('counts in the same Redis keys as rate-limiter-flexible did, so a rolling upgrade keeps the counts', async () => {
    const prefix = uniqueName('rl');
    // What the previous release's limiter left: 9 of the auth burst of 10, 1.5 s of the window left.
    await redis.set(`${prefix}:auth:s:4:198.51.100.7`, '9', 'PX', 1_500);
    const rl = new RateLimiter(redis, { keyPrefix: prefix });
    expect((await rl.consume('auth', '198.51.100.7')).allowed).toBe(true);
    expect(await rl.consume('auth', '198.51.100.7')).toEqual({
      allowed: false,
      retryAfterSeconds: 2,
    });
    expect(await redis.get(`${prefix}:auth:s:4:198.51.100.7`)).toBe('11');
    expect(await redis.pttl(`${prefix}:auth:h:4:198.51.100.7`)).toBeGreaterThan(3_590_000);
  });

  it('counts federation per receiving tenant, under an address-wide ceiling', async () => {
    const rl = new RateLimiter(redis, { keyPrefix: uniqueName('rl'), receiverFactor: 2 });
    const deliver = (tenant: string) => rl.consume('federation', '203.0.113.7', 1, tenant);
    // All at once, well inside the 2 s window the first request opens.
    const allowed = async (tenant: string, n: number) =>
      (await Promise.all(Array.from({ length: n }, () => deliver(tenant)))).filter((d) => d.allowed)
        .length;
    // 200 per 2 s for one tenant, then that tenant refuses…
    expect(await allowed('alice.example', 201)).toBe(200);
    // …while another tenant of the same deployment still takes this peer's deliveries,
    expect(await allowed('bob.example', 199)).toBe(199);
    // up to twice (receiverFactor) a host's allowance across all of them.
    expect((await deliver('carol.example')).allowed).toBe(false);
  });

  it('keeps limiting, per process, while Redis cannot be reached', async () => {
    const unreachable = new Redis({
      host: '127.0.0.1',
      port: await freePort(),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const rl = new RateLimiter(unreachable, { keyPrefix: uniqueName('rl') });
    for (let i = 0; i < 10; i++)
      expect((await rl.consume('auth', '198.51.100.8')).allowed).toBe(true);
    expect(await rl.consume('auth', '198.51.100.8')).toEqual({
      allowed: false,
      retryAfterSeconds: expect.any(Number),
    });
    expect((await rl.consume('auth', '198.51.100.9')).allowed).toBe(true);
    unreachable.disconnect();
  });

  it('lets through what has no address to key on', async () => {
    expect(await limiter().consume('auth', 'unix-socket')).toEqual({ allowed: true });
  });
});
