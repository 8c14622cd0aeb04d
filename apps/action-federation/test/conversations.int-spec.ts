import { signWithTenantKey } from '@cloudillo/contracts';
import { type FederationDb } from '@cloudillo/db-federation';
import { dataOf, errorCodeOf, waitFor } from '@cloudillo/testing';

import { type ActionView } from '../src/actions/action-view';
import { FED_DB } from '../src/tokens';
import { actionClient } from './action-client';
import { type FederationStack, startFederationStack } from './federation-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';
const DAVE = 'dave.localhost';

describe('conversations: CONV, INVT, SUBS roles and relayed MSG (protocol §2.8 step 6, §2.9)', () => {
  let stack: FederationStack;
  let conv: ActionView;

  beforeAll(async () => {
    stack = await startFederationStack({ tenants: [ALICE, BOB, CAROL, DAVE] });
    // Invitations are not open types: the invitees follow the inviter.
    for (const follower of [BOB, CAROL]) {
      const follow = await create(follower, { type: 'FLLW', audienceTag: ALICE });
      await arrived(ALICE, follow.actionId);
    }
  });

  afterAll(() => stack?.close());

  const { call, create, actionsOf, standing, arrived, answer } = actionClient(() => stack);
  const messagesAt = async (idTag: string) =>
    (await actionsOf(idTag, `?type=MSG&parentId=${conv.actionId}`)).map((m) => m.content);
  const subscriptionOf = async (home: string, issuer: string) =>
    (await actionsOf(home, `?type=SUBS&subject=${conv.actionId}&issuer=${issuer}&status=A`)).find(
      (s) => s.subType === undefined,
    );
  /** The issuer's subscription once its SUBS has reached the home (as generous as `arrived`). */
  const subscribed = async (home: string, issuer: string) => {
    try {
      return await waitFor(() => subscriptionOf(home, issuer), 30_000);
    } catch {
      // Where the issuer's own SUBS stands at the home says what went wrong.
      const own = (await actionsOf(issuer, `?type=SUBS&subject=${conv.actionId}`)).find(
        (s) => s.issuer.idTag === issuer && s.subType === undefined,
      );
      const where = own ? await standing(home, own.actionId) : 'never sent';
      throw new Error(
        `no subscription of ${issuer} at ${home}: its SUBS is ${where}; rows: ${await rows()}`,
      );
    }
  };
  /** Every SUBS and INVT row of the conversation, as stored (status, failure, role, key). */
  const rows = async () => {
    const db = stack.federation.get<FederationDb>(FED_DB);
    const found = await db.action.findMany({
      where: { type: { in: ['SUBS', 'INVT'] } },
      select: {
        tnId: true,
        actionId: true,
        type: true,
        subType: true,
        issuer: true,
        status: true,
        failure: true,
        attempts: true,
        dedupKey: true,
        x: true,
      },
      orderBy: { tnId: 'asc' },
    });
    return JSON.stringify(found);
  };
  /** A token a node would send anyway, past its own outbound checks. */
  const forged = async (issuer: string, claims: Record<string, unknown>) => {
    const { token } = await stack.identity.rpc.request(signWithTenantKey, {
      idTag: issuer,
      claims: { ...claims, iat: Math.floor(Date.now() / 1000) },
    });
    const res = await stack.call(ALICE, 'POST', '/api/inbox', { body: { token } });
    expect(res.status).toBe(201);
    return dataOf<{ actionId: string }>(res).actionId;
  };

  it('the creator of a CONV is its admin; an invitation waits for the invitee, and accepting subscribes them at the home', async () => {
    conv = await create(ALICE, { type: 'CONV', content: { name: 'team' } });
    expect(conv).toMatchObject({ visibility: 'S', flags: 'rco' });
    expect(await subscriptionOf(ALICE, ALICE)).toMatchObject({ x: { role: 'admin' } });

    for (const invitee of [BOB, CAROL]) {
      const invitation = await create(ALICE, {
        type: 'INVT',
        audienceTag: invitee,
        subject: conv.actionId,
        content: { role: invitee === CAROL ? 'observer' : 'member', message: 'join us' },
      });
      await arrived(invitee, invitation.actionId, 'C');
      // The CONV travelled along (related), so the invitee holds what it is invited to.
      await arrived(invitee, conv.actionId);
      expect((await answer(invitee, invitation.actionId, 'accept')).status).toBe(200);
    }
    expect(await subscribed(ALICE, BOB)).toMatchObject({ x: { role: 'member' } });
    expect(await subscribed(ALICE, CAROL)).toMatchObject({ x: { role: 'observer' } });
  }, 90_000);

  it('a member’s MSG is taken at the home at once and relayed to the other subscribers; the home’s own reaches all', async () => {
    const hello = await create(BOB, { type: 'MSG', parentId: conv.actionId, content: 'hi team' });
    expect(hello.audience?.idTag).toBe(ALICE);
    await arrived(ALICE, hello.actionId); // not waiting for approval: the subscription is it
    await waitFor(async () => (await messagesAt(CAROL)).includes('hi team'), 15_000, 'the relay');
    const own = await create(ALICE, { type: 'MSG', parentId: conv.actionId, content: 'welcome' });
    await arrived(BOB, own.actionId);
    await arrived(CAROL, own.actionId);
  });

  it('refuses posts from observers and strangers, and subscriptions nobody invited', async () => {
    // Carol is an observer: her node lets her try, the home refuses.
    const observed = await create(CAROL, {
      type: 'MSG',
      parentId: conv.actionId,
      content: 'can I speak?',
    });
    await arrived(ALICE, observed.actionId, 'F');
    // Dave holds no CONV and no subscription: his own node refuses, the home too.
    const local = await call(DAVE, 'POST', '/api/actions', {
      type: 'MSG',
      parentId: conv.actionId,
      content: 'spam',
    });
    expect([local.status, errorCodeOf(local)]).toEqual([400, 'E-VAL-INVALID']);
    const spam = await forged(DAVE, { t: 'MSG', aud: ALICE, p: conv.actionId, c: 'spam' });
    await arrived(ALICE, spam, 'F');
    const gatecrash = await forged(DAVE, { t: 'SUBS', aud: ALICE, sub: conv.actionId });
    await arrived(ALICE, gatecrash, 'D');
    expect(await messagesAt(BOB)).not.toContain('spam');
  });

  it('changing a subscription or the conversation needs admin (SUBS:UPD, CONV:UPD, §2.8)', async () => {
    // Carol, an observer, tries to make herself admin; Bob, a member, to rename the conversation.
    const promote = await forged(CAROL, {
      t: 'SUBS:UPD',
      aud: ALICE,
      sub: conv.actionId,
      c: { role: 'admin' },
    });
    await arrived(ALICE, promote, 'F');
    const rename = await forged(BOB, { t: 'CONV:UPD', sub: conv.actionId, c: { name: 'mine' } });
    await arrived(ALICE, rename, 'F');
    // Refused, they changed nothing: Carol is still an observer, and may still not post.
    expect(await subscriptionOf(ALICE, CAROL)).toMatchObject({ x: { role: 'observer' } });
    expect(await subscriptionOf(ALICE, BOB)).toMatchObject({ x: { role: 'member' } });
  });

  it('a subscriber who leaves (SUBS:DEL) gets nothing more', async () => {
    const leave = await create(BOB, {
      type: 'SUBS',
      subType: 'DEL',
      audienceTag: ALICE,
      subject: conv.actionId,
    });
    await arrived(ALICE, leave.actionId);
    expect(await subscriptionOf(ALICE, BOB)).toBeUndefined();
    const after = await create(ALICE, { type: 'MSG', parentId: conv.actionId, content: 'bye bob' });
    await arrived(CAROL, after.actionId);
    await new Promise((r) => setTimeout(r, 500));
    expect(await messagesAt(BOB)).not.toContain('bye bob');
    // Having left, his node no longer lets him post into it.
    const gone = await call(BOB, 'POST', '/api/actions', {
      type: 'MSG',
      parentId: conv.actionId,
      content: 'still here?',
    });
    expect([gone.status, errorCodeOf(gone)]).toEqual([403, 'E-AUTH-NOPERM']);
  });
});
