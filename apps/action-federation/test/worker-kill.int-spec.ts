import { updateRelationship } from '@cloudillo/contracts';
import { createFederationDb, type FederationDb } from '@cloudillo/db-federation';
import { redisConnection } from '@cloudillo/queues';
import { dataOf, freePort, waitFor } from '@cloudillo/testing';
import { Queue } from 'bullmq';

import { DELIVER_QUEUE } from '../src/delivery/federation-queues';
import { type FederationStack, startFederationStack } from './federation-stack';
import { type FederationProcess, spawnFederation } from './federation-process';

const ALICE = 'alice.node-a.localhost';
const BOB = 'bob.node-b.localhost';
const POSTS = 200;

describe('a delivering worker killed with SIGKILL mid-run loses nothing and duplicates nothing', () => {
  let a: FederationStack;
  let b: FederationStack;
  let bDb: FederationDb;
  let deliveries: Queue;
  const workers: FederationProcess[] = [];

  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    // Node A's HTTP service runs here without workers; its workers run in child processes.
    a = await startFederationStack({
      tenants: [ALICE],
      baseIdTag: 'node-a.localhost',
      gatewayPort: portA,
      peers: { '*.node-b.localhost': `http://127.0.0.1:${portB}` },
      config: { workers: false, queueLockMs: 1_500 },
    });
    b = await startFederationStack({
      tenants: [BOB],
      baseIdTag: 'node-b.localhost',
      gatewayPort: portB,
      peers: { '*.node-a.localhost': `http://127.0.0.1:${portA}` },
    });
    await a.identity.rpc.request(updateRelationship, {
      tenant: ALICE,
      peer: BOB,
      set: { follower: true },
    });
    await b.identity.rpc.request(updateRelationship, {
      tenant: BOB,
      peer: ALICE,
      set: { following: true },
    });
    bDb = createFederationDb({ databaseUrl: b.config.databaseUrl, schema: b.config.dbSchema });
    deliveries = new Queue(DELIVER_QUEUE, {
      connection: redisConnection(a.config.redisUrl),
      prefix: a.config.queuePrefix,
    });
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
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
    // Nothing moves until a worker runs.
    expect(await deliveries.getCompletedCount()).toBe(0);
    expect(await atBob()).toEqual([]);

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
      async () =>
        (await deliveries.getCompletedCount()) >= 20 && (await deliveries.getActiveCount()) > 0,
      30_000,
      '20 delivered and more in flight',
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(await deliveries.getCompletedCount()).toBeLessThan(POSTS);

    const second = await spawnFederation({
      ...workerConfig,
      http: { ...a.config.http, port: await freePort() },
    });
    workers.push(second);
    await waitFor(
      async () => (await deliveries.getCompletedCount()) === POSTS,
      60_000,
      `all ${POSTS} deliveries (${second.output().slice(-500)})`,
    );
    expect(await deliveries.getFailedCount()).toBe(0);
    await waitFor(
      async () => (await atBob()).find((g) => g.status === 'A')?._count._all === POSTS,
      30_000,
      'all active at bob',
    );
    // One row per post, all active: nothing lost, nothing twice.
    expect(await atBob()).toEqual([{ status: 'A', _count: { _all: POSTS } }]);
    const held = await bDb.action.findMany({
      where: { issuer: ALICE, type: 'POST' },
      select: { actionId: true },
    });
    expect(new Set(held.map((h) => h.actionId))).toEqual(new Set(ids));
  }, 180_000);
});
