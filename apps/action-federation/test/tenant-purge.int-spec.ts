import { purgeTenant, updateRelationship } from '@cloudillo/contracts';
import { dataOf, errorCodeOf, freePort, testInfra, waitFor } from '@cloudillo/testing';
import { Client } from 'pg';

import { FederationQueues } from '../src/delivery/federation-queues';
import { fakePeer, type FakePeer } from './fake-peer';
import { type FederationStack, startFederationStack } from './federation-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const FAR = 'far.away.localhost';

describe('tenant purge: action-federation’s part of the saga', () => {
  let stack: FederationStack;
  let far: FakePeer;
  let pg: Client;

  beforeAll(async () => {
    const farPort = await freePort();
    far = await fakePeer(farPort);
    stack = await startFederationStack({
      tenants: [ALICE, BOB],
      peers: { [FAR]: `http://127.0.0.1:${farPort}` },
      // A failed delivery waits a minute: the test moves it on by hand.
      config: {
        delivery: { backoffMs: 60_000, attempts: 5, concurrency: 4 },
        breaker: { threshold: 100, openMs: 60_000, maxOpenMs: 60_000 },
      },
    });
    pg = new Client({ connectionString: testInfra().databaseUrl });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await stack?.close();
    await far?.close();
  });

  const actionsOf = async (idTag: string): Promise<number> => {
    const { rows } = await pg.query<{ n: number }>(
      `select count(*)::int as n from "${stack.config.dbSchema}".actions a
         join "${stack.config.dbSchema}".tenants t using (tn_id) where t.id_tag = $1`,
      [idTag],
    );
    return rows[0]?.n ?? 0;
  };
  const rowsOfTnId = async (tnId: number): Promise<number> => {
    const { rows } = await pg.query<{ n: number }>(
      `select count(*)::int as n from "${stack.config.dbSchema}".actions where tn_id = $1`,
      [tnId],
    );
    return rows[0]?.n ?? 0;
  };
  const post = async (idTag: string, content: string) => {
    const res = await stack.call(idTag, 'POST', '/api/actions', {
      token: stack.tokens[idTag],
      body: { type: 'POST', content },
    });
    expect(res.status).toBe(201);
    return dataOf<{ actionId: string }>(res).actionId;
  };

  it('deletes the purged tenant’s actions, drops its queued deliveries, leaves other tenants alone', async () => {
    await stack.identity.rpc.request(updateRelationship, {
      tenant: ALICE,
      peer: FAR,
      set: { follower: true },
    });
    await post(BOB, 'bob stays');
    const alicesPost = await post(ALICE, 'to a peer that is down');
    const queue = stack.federation.get(FederationQueues).deliveries;
    const jobId = `delivery:${alicesPost}:${FAR}`;
    // The first attempt failed (503): the delivery waits in the queue for its retry.
    const queued = await waitFor(async () => {
      const job = await queue.getJob(jobId);
      return job && (await job.getState()) === 'delayed' ? job : undefined;
    }, 15_000);
    expect(far.received.length).toBeGreaterThanOrEqual(1);
    expect(await actionsOf(ALICE)).toBeGreaterThan(0);
    const bobsBefore = await actionsOf(BOB);

    const { tnId } = await stack.identity.rpc.request(purgeTenant, { idTag: ALICE });
    await waitFor(async () => (await rowsOfTnId(tnId)) === 0, 10_000, 'alice’s actions gone');
    expect(await actionsOf(BOB)).toBe(bobsBefore);

    // The peer is back and the retry is due: a purged tenant's token is not delivered any more.
    far.answer(201);
    const attemptsBefore = far.received.length;
    await queued.promote();
    await waitFor(
      async () =>
        ['completed', 'failed', 'unknown'].includes(
          (await (await queue.getJob(jobId))?.getState()) ?? 'unknown',
        ),
      10_000,
      'the delivery job settled',
    );
    expect(far.received.length).toBe(attemptsBefore);

    // Nothing new lands for her: her inbox is gone (before any token check), and no row appears.
    const inbox = await stack.call(ALICE, 'POST', '/api/inbox', {
      body: { token: 'not.even.checked' },
    });
    expect([inbox.status, errorCodeOf(inbox)]).toEqual([404, 'E-CORE-NOTFOUND']);
    // (A live tenant's inbox does look at the same body, and refuses it as malformed.)
    const bobs = await stack.call(BOB, 'POST', '/api/inbox', {
      body: { token: 'not.even.checked' },
    });
    expect(bobs.status).toBe(400);
    expect(await rowsOfTnId(tnId)).toBe(0);
    // Bob's actions still read.
    const read = await stack.call(BOB, 'GET', '/api/actions', { token: stack.tokens[BOB] });
    expect(read.status).toBe(200);
    expect(dataOf<unknown[]>(read).length).toBeGreaterThan(0);
  });
});
