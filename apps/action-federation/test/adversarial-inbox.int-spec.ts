import { getRelationship, signWithTenantKey } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { dataOf, errorCodeOf, waitFor } from '@cloudillo/testing';

import { actionClient } from './action-client';
import { type FederationStack, startFederationStack, TEST_VERIFY } from './federation-stack';
import { signUntil, withoutWork } from './pow';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';
const DAVE = 'dave.localhost';

/**
 * A hostile peer at Bob's inbox (issue 20): every case here failed on the code before the
 * hardening. Bob follows Alice; Carol and Dave are strangers to him. Tokens are signed with the
 * tenants' real keys and delivered through the gateway, as a peer would.
 */
describe('adversarial inbox: a hostile peer gains nothing', () => {
  let stack: FederationStack;
  const client = actionClient(() => stack);

  beforeAll(async () => {
    stack = await startFederationStack({
      tenants: [ALICE, BOB, CAROL, DAVE],
      config: {
        // A child whose parent never comes is held this long, then refused.
        verify: { ...TEST_VERIFY, holdMs: 4_000 },
        clockSkewSeconds: 300,
      },
    });
    await client.create(BOB, { type: 'FLLW', audienceTag: ALICE });
  });

  afterAll(() => stack?.close());

  const now = () => Math.floor(Date.now() / 1000);
  const sign = async (idTag: string, claims: Record<string, unknown>) =>
    (await stack.identity.rpc.request(signWithTenantKey, { idTag, claims })).token;
  const deliver = (token: string, related?: string[]) =>
    stack.call(BOB, 'POST', '/api/inbox', { body: { token, ...(related ? { related } : {}) } });
  const delivered = async (token: string, related?: string[]) => {
    const res = await deliver(token, related);
    expect([res.status, res.text]).toEqual([201, res.text]);
    return dataOf<{ actionId: string }>(res).actionId;
  };
  const statusAtBob = async (actionId: string) => {
    const found = await client.actionOf(BOB, actionId);
    if (found) return found.status;
    for (const status of ['V', 'F']) {
      if ((await client.actionsOf(BOB, `?status=${status}`)).some((a) => a.actionId === actionId))
        return status;
    }
    return undefined;
  };
  /** Until the token has a final status at Bob (anything but waiting). */
  const settled = (actionId: string) =>
    waitFor(async () => {
      const status = await statusAtBob(actionId);
      return status && status !== 'V' ? status : undefined;
    }, 20_000);

  describe('related tokens', () => {
    it('drops one the main token does not name: never stored', async () => {
      const planted = await sign(CAROL, { t: 'POST', c: 'planted', iat: now() });
      const main = await sign(ALICE, { t: 'POST', c: 'hello', iat: now() });
      await client.arrived(BOB, await delivered(main, [planted]));
      expect(await statusAtBob(contentId('a', planted))).toBeUndefined();
    });

    it('never stores one active when the main token is refused', async () => {
      const original = await sign(CAROL, { t: 'POST', c: 'carried by a refused APRV', iat: now() });
      // Dave is nobody to Bob: his APRV of someone else's post is refused (§2.8).
      const aprv = await sign(DAVE, { t: 'APRV', sub: contentId('a', original), iat: now() });
      expect(await settled(await delivered(aprv, [original]))).toBe('F');
      expect(await statusAtBob(contentId('a', original))).not.toBe('A');
    });

    it('keeps one the main token names, and stores it with the main one', async () => {
      const original = await sign(CAROL, { t: 'POST', c: 'worth sharing', iat: now() });
      const repost = await sign(ALICE, { t: 'REPOST', sub: contentId('a', original), iat: now() });
      await client.arrived(BOB, await delivered(repost, [original]));
      expect(await statusAtBob(contentId('a', original))).toBe('A');
    });

    it('a FLLW addressed to someone else cannot make its issuer Bob’s follower', async () => {
      const follow = await sign(CAROL, { t: 'FLLW', aud: DAVE, iat: now() });
      const repost = await sign(ALICE, { t: 'REPOST', sub: contentId('a', follow), iat: now() });
      await settled(await delivered(repost, [follow]));
      expect(await statusAtBob(contentId('a', follow))).toBeUndefined();
      const relation = await stack.identity.rpc.request(getRelationship, {
        tenant: BOB,
        peer: CAROL,
      });
      expect(relation.follower).toBe(false);
    });
  });

  describe('out-of-order arrival', () => {
    it('a comment that arrives before its post waits, and is active once the post arrives', async () => {
      const post = await sign(ALICE, { t: 'POST', c: 'comes second', iat: now() });
      const comment = await sign(CAROL, {
        t: 'CMNT',
        p: contentId('a', post),
        c: 'comes first',
        iat: now(),
      });
      const commentId = await delivered(comment);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await statusAtBob(commentId)).toBe('V');
      await delivered(post);
      // Woken by its parent, well before its own backoff or the hold would bring it back.
      await client.arrived(BOB, commentId);
    });

    it('a token refused for a reason that passed is examined again when it is delivered again', async () => {
      const post = await sign(ALICE, { t: 'POST', c: 'very late', iat: now() });
      const comment = await sign(CAROL, {
        t: 'CMNT',
        p: contentId('a', post),
        c: 'too early',
        iat: now(),
      });
      const commentId = await delivered(comment);
      expect(await settled(commentId)).toBe('F');
      await client.arrived(BOB, await delivered(post));
      await delivered(comment);
      await client.arrived(BOB, commentId);
    });
  });

  it('forward compatibility: a claim this version does not know is ignored, the token kept whole', async () => {
    const token = await sign(ALICE, {
      t: 'POST',
      c: 'from a newer node',
      zz: { v: 2 },
      iat: now(),
    });
    const id = await delivered(token);
    expect(id).toBe(contentId('a', token));
    await client.arrived(BOB, id);
  });

  it('FED_CLOCK_SKEW_SECONDS is the leeway on exp', async () => {
    const late = await sign(ALICE, {
      t: 'POST',
      c: 'two minutes late',
      iat: now() - 600,
      exp: now() - 120,
    });
    await client.arrived(BOB, await delivered(late));
    const expired = await sign(ALICE, {
      t: 'POST',
      c: 'too late',
      iat: now() - 900,
      exp: now() - 600,
    });
    expect(await settled(await delivered(expired))).toBe('F');
  });

  // Last: it raises the proof of work this address owes.
  it('proof of work counts a CONN carried as a related token', async () => {
    const other = await sign(CAROL, { t: 'FLLW', aud: BOB, iat: now() });
    const forged = `${other.split('.').slice(0, 2).join('.')}.${(await sign(DAVE, { t: 'FLLW', aud: BOB, iat: now() })).split('.')[2]}`;
    expect(await settled(await delivered(forged))).toBe('F');
    const conn = await signUntil(
      stack.identity.rpc,
      CAROL,
      { t: 'CONN', aud: BOB, iat: now() },
      withoutWork(1),
    );
    const repost = await sign(ALICE, { t: 'REPOST', sub: contentId('a', conn), iat: now() });
    const res = await deliver(repost, [conn]);
    expect([res.status, errorCodeOf(res)]).toEqual([428, 'E-POW-REQUIRED']);
  });
});
