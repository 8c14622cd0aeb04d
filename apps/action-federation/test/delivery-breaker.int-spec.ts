import { updateRelationship } from '@cloudillo/contracts';
import { dataOf, errorCodeOf, freePort, waitFor } from '@cloudillo/testing';

import { fakePeer, type FakePeer } from './fake-peer';
import { type FederationStack, startFederationStack } from './federation-stack';

const ALICE = 'alice.localhost';
const FOLLOWERS = Array.from({ length: 30 }, (_, i) => `u${i}.dead.localhost`);
const REFUSING = 'strict.refusing.localhost';
const BASE = 'base.localhost';

describe('delivery: per-destination circuit breaker and the admin dead-letter route', () => {
  let stack: FederationStack;
  let dead: FakePeer;
  let refusing: FakePeer;

  beforeAll(async () => {
    const [deadPort, refusingPort] = [await freePort(), await freePort()];
    dead = await fakePeer(deadPort);
    refusing = await fakePeer(refusingPort);
    refusing.answer(400);
    stack = await startFederationStack({
      tenants: [ALICE],
      loginBase: true,
      peers: {
        '*.dead.localhost': `http://127.0.0.1:${deadPort}`,
        [REFUSING]: `http://127.0.0.1:${refusingPort}`,
      },
      config: {
        delivery: { backoffMs: 100, attempts: 50, concurrency: 4 },
        breaker: { threshold: 3, openMs: 400, maxOpenMs: 800 },
      },
    });
    for (const peer of [...FOLLOWERS, REFUSING]) {
      await stack.identity.rpc.request(updateRelationship, {
        tenant: ALICE,
        peer,
        set: { follower: true },
      });
    }
  });

  afterAll(async () => {
    await stack?.close();
    await dead?.close();
    await refusing?.close();
  });

  it('a dead peer costs a few probes, not a request per delivery; all arrive once it is back', async () => {
    const res = await stack.call(ALICE, 'POST', '/api/actions', {
      token: stack.tokens[ALICE],
      body: { type: 'POST', content: 'anyone there?' },
    });
    expect(res.status).toBe(201);
    const { actionId } = dataOf<{ actionId: string }>(res);
    await new Promise((r) => setTimeout(r, 2_500));
    // Without the breaker: 30 deliveries, each retried at 100 ms doubling — about 150 requests
    // in this time. With it: the first few fail, then one probe per open period.
    const whileDown = dead.received.length;
    expect(whileDown).toBeGreaterThanOrEqual(3);
    expect(whileDown).toBeLessThan(20);

    dead.answer(201);
    await waitFor(
      async () => new Set(dead.received.slice(whileDown).map((r) => r.host)).size === 30,
      15_000,
      'all 30 deliveries',
    );
    const delivered = dead.received.slice(whileDown);
    expect(new Set(delivered.map((r) => r.host))).toEqual(
      new Set(FOLLOWERS.map((f) => `cl-o.${f}`)),
    );
    expect(delivered.every((r) => (JSON.parse(r.body) as { token: string }).token)).toBe(true);
    // Once each: the successful ones are not sent again.
    await new Promise((r) => setTimeout(r, 500));
    expect(dead.received.length - whileDown).toBe(30);
    expect(actionId).toMatch(/^a1~/);
  });

  it('a peer that refuses (4xx) is dead-lettered at once; the admin lists and retries it', async () => {
    const admin = stack.tokens[BASE];
    // Both posts (this one and the one above) went to the refusing follower too.
    await stack.call(ALICE, 'POST', '/api/actions', {
      token: stack.tokens[ALICE],
      body: { type: 'POST', content: 'you will refuse this' },
    });
    const refusedLetters = async () => {
      const res = await stack.call(BASE, 'GET', '/api/admin/deliveries', { token: admin });
      const { items } = dataOf<{ items: { jobId: string; recipient: string; reason: string }[] }>(
        res,
      );
      return items.filter((i) => i.recipient === REFUSING);
    };
    const letters = await waitFor(async () => {
      const found = await refusedLetters();
      return found.length === 2 ? found : undefined;
    });
    expect(letters.every((l) => /refused/.test(l.reason))).toBe(true);
    // Not retried 50 times: a refusal is final.
    expect(refusing.received).toHaveLength(2);

    // Only the server admin sees them.
    const denied = await stack.call(ALICE, 'GET', '/api/admin/deliveries', {
      token: stack.tokens[ALICE],
    });
    expect([denied.status, errorCodeOf(denied)]).toEqual([403, 'E-AUTH-NOPERM']);
    const unknown = await stack.call(BASE, 'POST', '/api/admin/deliveries/retry', {
      token: admin,
      body: { jobIds: ['delivery:nope'] },
    });
    expect(unknown.status).toBe(404);

    refusing.answer(201);
    const retried = await stack.call(BASE, 'POST', '/api/admin/deliveries/retry', {
      token: admin,
      body: { jobIds: letters.map((l) => l.jobId) },
    });
    expect(dataOf<{ retried: number }>(retried).retried).toBe(2);
    await waitFor(async () => refusing.received.length === 4);
    expect(await refusedLetters()).toEqual([]);
  });
});
