import { signWithTenantKey } from '@cloudillo/contracts';
import { createFederationDb, type FederationDb } from '@cloudillo/db-federation';
import { waitFor } from '@cloudillo/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

import { queueOptions, VERIFY_QUEUE } from '../src/delivery/federation-queues';
import { RefusalsRepository } from '../src/inbox/refusals.repository';
import { RefusedRetention } from '../src/inbox/refused-retention';
import { type FederationStack, startFederationStack, TEST_RETENTION } from './federation-stack';

const BOB = 'bob.localhost';
const SENDERS = Array.from({ length: 50 }, (_, i) => `sender${i}.localhost`);
const PER_SENDER = 200;
const IN_FLIGHT = 32;
const WARM_UP = 40;

/**
 * A soak (issue 20; bounded, loopback only): 10,000 bad tokens (forged signatures) from 50
 * senders at Bob's inbox, through the gateway, then the retention sweep. Every delivery is
 * answered 2xx or 4xx (never 5xx); every token ends refused; after the sweep, Bob's rows and the
 * deployment's Redis keys are back within 10 % of where they were, and what remains of the flood
 * is one refusal counter per sender. Warmed up first with a smaller flood, so that the queues'
 * own bookkeeping (BullMQ's event streams) is at its steady size when the start is measured.
 */
describe('adversarial soak: 10,000 bad tokens from 50 senders leave nothing behind', () => {
  let stack: FederationStack;
  let db: FederationDb;
  let redis: Redis;
  const forgedBy = new Map<string, string>();

  beforeAll(async () => {
    stack = await startFederationStack({
      tenants: [BOB, ...SENDERS],
      config: {
        retention: { ...TEST_RETENTION, refusedMs: 0 },
      },
    });
    db = createFederationDb({
      databaseUrl: stack.config.databaseUrl,
      schema: stack.config.dbSchema,
    });
    redis = new Redis(stack.config.redisUrl);
    // One real token per sender, whose signature the forgeries reuse.
    for (const sender of SENDERS) {
      const { token } = await stack.identity.rpc.request(signWithTenantKey, {
        idTag: sender,
        claims: { t: 'POST', c: 'genuine', iat: Math.floor(Date.now() / 1000) },
      });
      forgedBy.set(sender, token);
    }
  }, 120_000);

  afterAll(async () => {
    redis?.disconnect();
    await db?.$disconnect();
    await stack?.close();
  });

  /** A token with `sender`'s header and signature over claims it never signed. */
  const forged = (sender: string, n: number) => {
    const [header, payload, signature] = (forgedBy.get(sender) ?? '').split('.') as [
      string,
      string,
      string,
    ];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
    const changed = Buffer.from(JSON.stringify({ ...claims, c: `spam ${n}` })).toString(
      'base64url',
    );
    return `${header}.${changed}.${signature}`;
  };

  /** Delivers `perSender` forgeries from each sender; the count of answers per status class. */
  const flood = async (perSender: number, offset: number) => {
    const tokens = SENDERS.flatMap((s) =>
      Array.from({ length: perSender }, (_, i) => forged(s, offset + i)),
    );
    const statuses = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < tokens.length) {
          const token = tokens[next++] as string;
          const res = await stack.call(BOB, 'POST', '/api/inbox', { body: { token } });
          const key = `${Math.floor(res.status / 100)}xx`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      }),
    );
    await waitFor(
      async () => (await db.action.count({ where: { status: 'V' } })) === 0,
      120_000,
      'every forgery verified',
    );
    return Object.fromEntries(statuses);
  };

  const rows = () => db.action.count();
  /** The verify queue idle but for the two schedulers' next runs: what Redis holds is steady. */
  const queuesIdle = () =>
    waitFor(
      async () => {
        const queue = new Queue(VERIFY_QUEUE, queueOptions(stack.config));
        try {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
          return counts['waiting'] === 0 && counts['active'] === 0 && (counts['delayed'] ?? 0) <= 2;
        } finally {
          await queue.close();
        }
      },
      30_000,
      'the verify queue idle',
    );
  /**
   * The deployment's Redis keys: bytes of all but BullMQ's event streams, which are capped by
   * length whatever the load (Redis trims them a node of 100 entries at a time, so their size
   * swings by kilobytes), and the longest of those streams.
   */
  const redisUse = async () => {
    let bytes = 0;
    let longestStream = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${stack.config.queuePrefix}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      for (const key of keys) {
        if (key.endsWith(':events')) longestStream = Math.max(longestStream, await redis.xlen(key));
        else bytes += (await redis.memory('USAGE', key)) ?? 0;
      }
    } while (cursor !== '0');
    return { bytes, longestStream };
  };
  const sweep = () => stack.federation.get(RefusedRetention).sweep();

  it('answers every forgery 2xx, refuses them all, and the sweep brings rows and Redis back', async () => {
    expect(await flood(WARM_UP, 0)).toEqual({ '2xx': SENDERS.length * WARM_UP });
    await sweep();
    await queuesIdle();
    const [rowsBefore, before] = [await rows(), await redisUse()];

    const answered = await flood(PER_SENDER, WARM_UP);
    expect(answered).toEqual({ '2xx': SENDERS.length * PER_SENDER });
    expect(await db.action.count({ where: { status: 'F' } })).toBe(SENDERS.length * PER_SENDER);
    expect(await db.action.count({ where: { status: 'A' } })).toBe(0);

    expect(await sweep()).toBe(SENDERS.length * PER_SENDER);
    await queuesIdle();
    const [rowsAfter, after] = [await rows(), await redisUse()];
    expect(rowsAfter).toBeLessThanOrEqual(Math.max(rowsBefore * 1.1, rowsBefore + 1));
    // Within 10 %, or 4 KiB: a few KiB are the schedulers' next runs and the verification
    // triggers in flight at the moment measured; anything kept per token would be megabytes.
    expect(after.bytes).toBeLessThanOrEqual(Math.max(before.bytes * 1.1, before.bytes + 4096));
    expect(after.longestStream).toBeLessThanOrEqual(200);

    // What is left of the flood: a counter per sender, with every refusal counted.
    const bob = await db.federationTenant.findFirst({ where: { idTag: BOB } });
    const counters = await stack.federation.get(RefusalsRepository).counters(bob?.tnId ?? -1);
    expect(counters).toHaveLength(SENDERS.length);
    expect(counters.every((c) => c.count === PER_SENDER + WARM_UP)).toBe(true);
  }, 300_000);
});
