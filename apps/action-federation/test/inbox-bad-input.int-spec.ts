import { signWithTenantKey } from '@cloudillo/contracts';
import { dataOf, errorCodeOf, waitFor } from '@cloudillo/testing';
import { generateKeyPair, SignJWT } from 'jose';

import { type ActionView } from '../src/actions/action-view';
import { type FederationStack, startFederationStack, TEST_VERIFY } from './federation-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';

/** Bad input at the inbox (issue 5's list): each a clear 4xx or a stored F, never a 5xx or an A row. */
describe('inbox: bad input is refused with a 4xx or stored as failed, never active', () => {
  let stack: FederationStack;

  beforeAll(async () => {
    stack = await startFederationStack({
      tenants: [ALICE, BOB, CAROL],
      rateLimits: true,
      // A comment on a post that never comes is held this long before it is refused.
      config: {
        verify: { ...TEST_VERIFY, holdMs: 3_000 },
      },
    });
    // Bob follows alice, so her POSTs are welcome unless something else is wrong.
    const res = await stack.call(BOB, 'POST', '/api/actions', {
      token: stack.tokens[BOB],
      body: { type: 'FLLW', audienceTag: ALICE },
    });
    expect(res.status).toBe(201);
  });

  afterAll(() => stack?.close());

  const now = () => Math.floor(Date.now() / 1000);
  const sign = async (claims: Record<string, unknown>, idTag = ALICE) =>
    (await stack.identity.rpc.request(signWithTenantKey, { idTag, claims })).token;
  const deliver = (token: string, to = BOB) =>
    stack.call(to, 'POST', '/api/inbox', { body: { token } });
  const keyIdOf = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { k: string }).k;
  const statusAtBob = async (actionId: string) => {
    const res = await stack.call(BOB, 'GET', `/api/actions?status=F&limit=200`, {
      token: stack.tokens[BOB],
    });
    if (dataOf<ActionView[]>(res).some((a) => a.actionId === actionId)) return 'F';
    const one = await stack.call(BOB, 'GET', `/api/actions/${actionId}`, {
      token: stack.tokens[BOB],
    });
    return one.status === 200 ? dataOf<ActionView>(one).status : undefined;
  };

  it('tokens signed the wrong way are stored F: HS256, ES256, an unknown key id, another issuer’s key', async () => {
    const aliceKid = keyIdOf(await sign({ t: 'POST', c: 'x', iat: now() }));
    const carolKid = keyIdOf(await sign({ t: 'POST', c: 'x', iat: now() }, CAROL));
    const claims = (k: string, c: string) => ({
      iss: ALICE,
      k,
      t: 'POST',
      c,
      aud: BOB,
      iat: now(),
    });
    const es256 = await generateKeyPair('ES256');
    const es384 = await generateKeyPair('ES384');
    const tokens = [
      await new SignJWT(claims(aliceKid, 'hs256'))
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode('a shared secret anybody could guess')),
      await new SignJWT(claims(aliceKid, 'es256'))
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
        .sign(es256.privateKey),
      await new SignJWT(claims('no-such-key', 'unknown k'))
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
        .sign(es384.privateKey),
      await new SignJWT(claims(carolKid, 'carol’s key'))
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
        .sign(es384.privateKey),
      await new SignJWT(claims(aliceKid, 'right key id, wrong key'))
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
        .sign(es384.privateKey),
    ];
    for (const token of tokens) {
      const res = await deliver(token);
      expect(res.status).toBe(201);
      const { actionId } = dataOf<{ actionId: string }>(res);
      await waitFor(async () => (await statusAtBob(actionId)) === 'F', 10_000, `F for ${actionId}`);
    }
  });

  it('a comment or reaction on an action the receiver does not hold waits, then is stored F once the hold has passed', async () => {
    const unknown = `a1~${'Z'.repeat(43)}`;
    for (const claims of [
      { t: 'CMNT', p: unknown, c: 'on nothing', aud: BOB, iat: now() },
      { t: 'REACT:LIKE', sub: unknown, aud: BOB, iat: now() },
    ]) {
      const res = await deliver(await sign(claims));
      expect(res.status).toBe(201);
      const { actionId } = dataOf<{ actionId: string }>(res);
      const arrived = Date.now();
      await waitFor(async () => (await statusAtBob(actionId)) === 'F', 10_000);
      // Held for the parent meanwhile (FED_VERIFY_HOLD_MS), never refused at once.
      expect(Date.now() - arrived).toBeGreaterThanOrEqual(2_500);
    }
  });

  it('content over the type’s size is 400 before anything is stored', async () => {
    const res = await deliver(
      await sign({ t: 'POST', c: 'x'.repeat(50_001), aud: BOB, iat: now() }),
    );
    expect([res.status, errorCodeOf(res)]).toEqual([400, 'E-VAL-INVALID']);
  });

  it('a 17 MiB body is refused with 413 at the edge', async () => {
    const res = await stack.call(BOB, 'POST', '/api/inbox', {
      body: { token: 'a'.repeat(17 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
  });

  it('a flood from one address is cut off with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    const retryAfter: string[] = [];
    // 200 per 2 s and 1,000 per hour per address (protocol §9): it must stop well before 1,100.
    while (!statuses.includes(429) && statuses.length < 1_100) {
      const results = await Promise.all(Array.from({ length: 50 }, () => deliver('not.a.token')));
      for (const r of results) {
        statuses.push(r.status);
        if (r.status === 429) retryAfter.push(String(r.headers['retry-after']));
      }
    }
    expect(statuses.every((s) => s === 400 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(retryAfter.every((v) => Number(v) > 0)).toBe(true);
  });
});
