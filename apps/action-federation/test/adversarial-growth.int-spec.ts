import { updateRelationship } from '@cloudillo/contracts';
import { freePort, waitFor } from '@cloudillo/testing';
import { Queue } from 'bullmq';

import { DELIVER_QUEUE, queueOptions } from '../src/delivery/federation-queues';
import { actionClient } from './action-client';
import { type FakePeer, fakePeer } from './fake-peer';
import { type FederationStack, startFederationStack, TEST_RETENTION } from './federation-stack';

const ALICE = 'alice.localhost';
const FOLLOWER = 'someone.refusing.localhost';

/**
 * Dead letters stay bounded (issue 20): a delivery keeps ids only — the token once, in the
 * action's row, not in every job — and the oldest beyond FED_DEAD_LETTER_MAX go. On the code
 * before, every dead letter carried the token and none was ever trimmed.
 */
describe('adversarial growth: dead letters keep no token and are trimmed', () => {
  let stack: FederationStack;
  let peer: FakePeer;
  let deliveries: Queue;
  const { create } = actionClient(() => stack);

  beforeAll(async () => {
    const port = await freePort();
    peer = await fakePeer(port);
    peer.answer(400); // refuses everything: each delivery is a dead letter at once
    stack = await startFederationStack({
      tenants: [ALICE],
      peers: { '*.refusing.localhost': `http://127.0.0.1:${port}` },
      config: {
        retention: { ...TEST_RETENTION, deadLetterMax: 3 },
      },
    });
    await stack.identity.rpc.request(updateRelationship, {
      tenant: ALICE,
      peer: FOLLOWER,
      set: { follower: true },
    });
    deliveries = new Queue(DELIVER_QUEUE, queueOptions(stack.config));
  });

  afterAll(async () => {
    await deliveries?.close();
    await stack?.close();
    await peer?.close();
  });

  it('five refused posts leave three dead letters, none with a token', async () => {
    for (let i = 0; i < 5; i++) await create(ALICE, { type: 'POST', content: `refused ${i}` });
    await waitFor(async () => peer.received.length >= 5, 20_000, 'five refused deliveries');
    await waitFor(async () => (await deliveries.getFailedCount()) > 0, 10_000, 'dead letters');
    // Trimming happens as later jobs fail: give the last ones a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const dead = await deliveries.getFailed();
    expect(dead.length).toBe(3);
    for (const job of dead) {
      expect(job.data).toEqual({
        tnId: expect.any(Number),
        actionId: expect.stringMatching(/^a1~/),
        recipient: FOLLOWER,
        refused: expect.any(String),
      });
    }
  });
});
