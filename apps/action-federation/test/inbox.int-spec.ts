import { type AddressInfo } from 'node:net';

import { resolveTenant, signWithTenantKey } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { REPLAY_HEADER } from '@cloudillo/http';
import { TenantResolver } from '@cloudillo/tenancy';
import { apiClient, dataOf, errorCodeOf, waitFor } from '@cloudillo/testing';
import { z } from 'zod';

import { type ActionView } from '../src/actions/action-view';
import { ActionsRepository } from '../src/actions/actions.repository';
import { loadFederationConfig } from '../src/config';
import { replaySeconds } from '../src/inbox/inbox.route';
import { InboxService } from '../src/inbox/inbox.service';
import { VerificationService } from '../src/inbox/verification.service';
import { type FederationStack, startFederationStack } from './federation-stack';
import { signUntil, withWork } from './pow';

const ALICE = 'alice.localhost';
/** The least environment the service starts with: its defaults for everything else. */
const ENV = {
  DATABASE_URL: 'postgresql://x@127.0.0.1/x',
  NATS_URL: 'nats://127.0.0.1:4222',
  REDIS_URL: 'redis://127.0.0.1:6379',
};
const BOB = 'bob.localhost';

describe('action federation, first slice: create, deliver through the inbox, verify (real HTTP, NATS, Postgres, Redis)', () => {
  let stack: FederationStack;

  beforeAll(async () => {
    stack = await startFederationStack({
      tenants: [ALICE, BOB],
      deps: {
        actionTypes: [
          {
            type: 'NOTE',
            fields: { aud: 'required', c: 'required' },
            content: z.object({ text: z.string().max(100) }),
            behaviour: { allowUnknown: true },
          },
        ],
      },
    });
  });

  afterAll(() => stack?.close());

  const actionsOf = async (idTag: string, query = '') =>
    dataOf<ActionView[]>(
      await stack.call(idTag, 'GET', `/api/actions${query}`, { token: stack.tokens[idTag] }),
    );
  const sign = async (claims: Record<string, unknown>, idTag = ALICE) =>
    (await stack.identity.rpc.request(signWithTenantKey, { idTag, claims })).token;
  const deliver = (token: string, to = BOB) =>
    stack.call(to, 'POST', '/api/inbox', { body: { token } });
  const now = () => Math.floor(Date.now() / 1000);

  it('signs a CONN for alice, delivers it to bob through his inbox, where it is verified and awaits bob', async () => {
    const res = await stack.call(ALICE, 'POST', '/api/actions', {
      token: stack.tokens[ALICE],
      body: { type: 'CONN', audienceTag: BOB, content: 'hello bob' },
    });
    expect(res.status).toBe(201);
    const created = dataOf<ActionView>(res);
    expect(created).toMatchObject({
      actionId: expect.stringMatching(/^a1~[A-Za-z0-9_-]{43}$/),
      type: 'CONN',
      issuer: { idTag: ALICE },
      audience: { idTag: BOB },
      content: 'hello bob',
      status: 'A',
    });
    expect((await actionsOf(ALICE)).map((a) => a.actionId)).toContain(created.actionId);
    // A connection request waits for the receiver's decision (status C, protocol §2.9).
    const atBob = await waitFor(async () =>
      (await actionsOf(BOB, '?status=C')).find((a) => a.actionId === created.actionId),
    );
    expect(atBob).toMatchObject({ type: 'CONN', issuer: { idTag: ALICE }, status: 'C' });
  });

  it('takes a re-delivered token once: one row, same id', async () => {
    const token = await sign({ t: 'FLLW', aud: BOB, iat: now() });
    const first = await deliver(token);
    const second = await deliver(token);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(dataOf<{ actionId: string }>(first).actionId).toBe(
      dataOf<{ actionId: string }>(second).actionId,
    );
    await waitFor(async () => (await actionsOf(BOB, '?type=FLLW')).length === 1);
    expect(await actionsOf(BOB, '?type=FLLW')).toHaveLength(1);
  });

  it('supersedes by dedup key: a newer CONN from the same issuer replaces the older one', async () => {
    // (Newer than the CONN of the first test, which this one supersedes in turn.)
    const older = await sign({ t: 'CONN', aud: BOB, c: 'first', iat: now() + 1 });
    // Alice's first request still waits, so this second one raises the proof of work asked of
    // this address (protocol §2.8): the next CONN* must end with an "A".
    const newer = await signUntil(
      stack.identity.rpc,
      ALICE,
      { t: 'CONN:DEL', aud: BOB, iat: now() + 2 },
      withWork(1),
    );
    const olderId = dataOf<{ actionId: string }>(await deliver(older)).actionId;
    await waitFor(async () =>
      (await actionsOf(BOB, '?type=CONN&status=C')).some((a) => a.actionId === olderId),
    );
    await deliver(newer);
    await waitFor(async () =>
      (await actionsOf(BOB, '?type=CONN&status=N')).some((a) => a.subType === 'DEL'),
    );
    // The request is superseded (D); nothing of alice's is left waiting.
    expect(
      (await actionsOf(BOB, '?type=CONN&status=C')).filter((a) => a.issuer.idTag === ALICE),
    ).toEqual([]);
    expect((await actionsOf(BOB, '?type=CONN&status=D')).map((a) => a.actionId)).toContain(olderId);
  });

  it.each([
    ['two parts', 'a.b', 400],
    ['bad base64', '!!!.@@@.###', 400],
    [
      'a payload that is not an object',
      `e30.${Buffer.from('[1,2]').toString('base64url')}.sig`,
      400,
    ],
  ])('refuses a malformed token (%s) with 400 and stores nothing', async (_name, token, status) => {
    const res = await deliver(token);
    expect(res.status).toBe(status);
    expect(errorCodeOf(res)).toBe('E-VAL-INVALID');
  });

  it('refuses unknown types, content against the schema, and another tenant’s audience with 400', async () => {
    for (const claims of [
      { t: 'WAVE', aud: BOB, iat: now() },
      { t: 'POST', c: { not: 'a string' }, iat: now() },
      { t: 'CONN', aud: 'carol.localhost', iat: now() },
      { t: 'PROXY', aud: BOB, iat: now(), exp: now() + 60 },
    ]) {
      const res = await deliver(await sign(claims));
      expect([claims.t, res.status]).toEqual([claims.t, 400]);
    }
  });

  it('stores forged, expired and not-permitted tokens as failed (F), never active', async () => {
    const valid = await sign({ t: 'FLLW', aud: BOB, c: 'forged later', iat: now() });
    const [h, p] = valid.split('.') as [string, string];
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), c: 'changed' })).toString('base64url')}.${valid.split('.')[2]}`;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    const expired = await sign({ t: 'FLLW:DEL', aud: BOB, iat: now() - 7200, exp: now() - 3600 });
    const future = await sign({ t: 'FLLW', aud: BOB, iat: now() + 3600 });
    const notOpen = await sign({ t: 'POST', aud: BOB, c: 'hi bob', iat: now() });
    const ids: string[] = [];
    for (const token of [tampered, none, expired, future, notOpen]) {
      const res = await deliver(token);
      expect(res.status).toBe(201);
      ids.push(dataOf<{ actionId: string }>(res).actionId);
    }
    await waitFor(
      async () =>
        (await actionsOf(BOB, '?status=F')).filter((a) => ids.includes(a.actionId)).length ===
        ids.length,
    );
    const active = await actionsOf(BOB);
    expect(active.filter((a) => ids.includes(a.actionId))).toEqual([]);
  });

  it('is extensible: a type registered at startup flows through the same pipeline', async () => {
    const res = await stack.call(ALICE, 'POST', '/api/actions', {
      token: stack.tokens[ALICE],
      body: { type: 'NOTE', audienceTag: BOB, content: { text: 'a custom type' } },
    });
    expect(res.status).toBe(201);
    const { actionId } = dataOf<ActionView>(res);
    await waitFor(async () =>
      (await actionsOf(BOB, '?type=NOTE')).some((a) => a.actionId === actionId),
    );
    const bad = await stack.call(ALICE, 'POST', '/api/actions', {
      token: stack.tokens[ALICE],
      body: { type: 'NOTE', audienceTag: BOB, content: { text: 7 } },
    });
    expect(bad.status).toBe(400);
  });

  it('refuses oversized tokens (413) and anonymous creation (401)', async () => {
    const huge = `${'a'.repeat(10)}.${'b'.repeat(1024 * 1024 + 10)}.c`;
    expect((await deliver(huge)).status).toBe(413);
    expect(
      (
        await stack.call(ALICE, 'POST', '/api/actions', {
          body: { type: 'CONN', audienceTag: BOB },
        })
      ).status,
    ).toBe(401);
  });
  it('an own action being stored is never taken for an inbound token by a verification running meanwhile', async () => {
    // A verification job for alice runs between the insert of her new action and its activation
    // (under load this happened in CI: her INVT was judged as addressed to her, and failed).
    const actions = stack.federation.get(ActionsRepository);
    const verification = stack.federation.get(VerificationService);
    const { tnId } = await stack.identity.rpc.request(resolveTenant, { idTag: ALICE });
    const activate = actions.activate.bind(actions);
    const interleaved = jest
      .spyOn(actions, 'activate')
      .mockImplementationOnce(async (...args: Parameters<typeof activate>) => {
        await verification.verifyPending({ tenant: { idTag: ALICE, tnId } });
        return activate(...args);
      });
    try {
      const res = await stack.call(ALICE, 'POST', '/api/actions', {
        token: stack.tokens[ALICE],
        body: { type: 'NOTE', audienceTag: BOB, content: { text: 'mine, not an inbound one' } },
      });
      expect(res.status).toBe(201);
      expect(interleaved).toHaveBeenCalled();
      const { actionId } = dataOf<{ actionId: string }>(res);
      const stored = await stack.call(ALICE, 'GET', `/api/actions/${actionId}`, {
        token: stack.tokens[ALICE],
      });
      expect([stored.status, dataOf<ActionView>(stored).status]).toEqual([200, 'A']);
    } finally {
      interleaved.mockRestore();
    }
  });

  it('tells the gateway that a settled delivery may be answered again without it, never a CONN', async () => {
    // Straight to the service: the gateway keeps the header to itself.
    const direct = apiClient(
      () => (stack.federation.getHttpServer().address() as AddressInfo).port,
    );
    const toBob = (token: string) => direct(BOB, 'POST', '/api/inbox', { body: { token } });
    const post = await sign({ t: 'POST', c: 'replayable', iat: now() });
    // For less than half the time it could take to fail for a reason that passes (issue 20: a
    // re-delivery then must reach the inbox again): 600 s in a deployment, less here.
    const seconds = replaySeconds(stack.config.verify);
    expect(replaySeconds(loadFederationConfig(ENV).verify)).toBe(600);
    for (const res of [await toBob(post), await toBob(post)]) {
      expect(res.status).toBe(201);
      expect(res.headers[REPLAY_HEADER]).toBe(String(seconds));
    }
    // A CONN is looked at every time (its repeats cost proof of work); from no address, none is asked.
    const conn = await sign({ t: 'CONN', aud: BOB, c: 'again?', iat: now() + 5 });
    const inbox = stack.federation.get(InboxService);
    const bob = await stack.federation.get(TenantResolver).require(BOB);
    expect(await inbox.receive(bob, conn)).toEqual({
      actionId: contentId('a', conn),
      settled: false,
    });
    expect(await inbox.receive(bob, conn)).toMatchObject({ settled: false });
  });
});
