import { createFederationDb, type FederationDb } from '@cloudillo/db-federation';
import { dataOf, freePort, waitFor } from '@cloudillo/testing';
import { Queue } from 'bullmq';

import { DELIVER_QUEUE, FANOUT_QUEUE, queueOptions } from '../src/delivery/federation-queues';
import { type FederationStack } from './federation-stack';
import { startFollowingPair } from './following-pair';
import { type FederationProcess, spawnFederation } from './federation-process';

const ALICE = 'alice.node-a.localhost';
const POSTS = 200;

describe('a delivering worker killed with SIGKILL mid-run loses nothing and duplicates nothing', () => {
  let a: FederationStack;
  let b: FederationStack;
  let bDb: FederationDb;
  let fanouts: Queue;
  let deliveries: Queue;
  const workers: FederationProcess[] = [];

  beforeAll(async () => {
    // Node A's HTTP service runs here without workers; its workers run in child processes.
    ({ a, b } = await startFollowingPair({
      domainA: 'node-a.localhost',
      domainB: 'node-b.localhost',
      configA: { workers: false, queueLockMs: 1_500 },
    }));
    bDb = createFederationDb({ databaseUrl: b.config.databaseUrl, schema: b.config.dbSchema });
    const queue = (name: string) => new Queue(name, queueOptions(a.config));
    // A post's fan-out makes the first attempts itself; the delivery queue gets what fails.
    fanouts = queue(FANOUT_QUEUE);
    deliveries = queue(DELIVER_QUEUE);
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await fanouts?.close();
    await deliveries?.close();
    await bDb?.$disconnect();
    await b?.close();
    await a?.close();
  });

  const atBob = () =>
    bDb.action.groupBy({
      by: ['status'],
      where: { issuer: ALICE, type: 'POST' },
      _count: { _all: true },
    });

  it('every post reaches the follower exactly once, though the first worker died mid-run', async () => {
    const ids: string[] = [];
    for (let i = 0; i < POSTS; i++) {
      const res = await a.call(ALICE, 'POST', '/api/actions', {
        token: a.tokens[ALICE],
        body: { type: 'POST', content: `post ${i}` },
      });
      expect(res.status).toBe(201);
      ids.push(dataOf<{ actionId: string }>(res).actionId);
    }
    // Finished fan-outs are removed from the queue; what is left waits or is in a worker's hands.
    const unfinished = async () => {
      const counts = await fanouts.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).reduce((n, c) => n + c, 0);
    };
    // Nothing moves until a worker runs.
    expect(await unfinished()).toBe(POSTS);
    expect(await atBob()).toEqual([]);
    const arrived = async () => (await atBob()).reduce((n, g) => n + g._count._all, 0);

    const workerConfig = {
      ...a.config,
      workers: true,
      http: { ...a.config.http, port: await freePort() },
      delivery: { ...a.config.delivery, concurrency: 4 },
    };
    const first = await spawnFederation(workerConfig);
    workers.push(first);
    // Kill it mid-run: some delivered, some in its hands right now (active, locked by it).
    await waitFor(
      async () => (await arrived()) >= 20 && (await fanouts.getActiveCount()) > 0,
      30_000,
      '20 delivered and more in flight',
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(await unfinished()).toBeGreaterThan(0);

    const second = await spawnFederation({
      ...workerConfig,
      http: { ...a.config.http, port: await freePort() },
    });
    workers.push(second);
    await waitFor(async () => (await unfinished()) === 0, 60_000, `all ${POSTS} fan-outs done`);
    expect(await fanouts.getFailedCount()).toBe(0);
    await waitFor(
      async () => (await deliveries.getWaitingCount()) + (await deliveries.getActiveCount()) === 0,
      30_000,
      'the retried deliveries',
    );
    expect(await deliveries.getFailedCount()).toBe(0);
    await waitFor(
      async () => (await atBob()).find((g) => g.status === 'A')?._count._all === POSTS,
      60_000,
      'all active at bob',
    ).catch(async (error: unknown) => {
      // Say where the rest are (V waiting, F refused and why).
      const rest = await bDb.action.findMany({
        where: { issuer: ALICE, type: 'POST', status: { not: 'A' } },
        select: { status: true, failure: true },
        take: 5,
      });
      throw new Error(`${String(error)}; ${JSON.stringify(await atBob())} ${JSON.stringify(rest)}`);
    });
    // One row per post, all active: nothing lost, nothing twice.
    expect(await atBob()).toEqual([{ status: 'A', _count: { _all: POSTS } }]);
    const held = await bDb.action.findMany({
      where: { issuer: ALICE, type: 'POST' },
      select: { actionId: true },
    });
    expect(new Set(held.map((h) => h.actionId))).toEqual(new Set(ids));
  }, 180_000);
});
