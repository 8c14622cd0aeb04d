import { getRelationship, signWithTenantKey } from '@cloudillo/contracts';
import { dataOf, errorCodeOf, waitFor } from '@cloudillo/testing';

import { actionClient } from './action-client';
import { type FederationStack, startFederationStack } from './federation-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';
const DAVE = 'dave.localhost';
const ERIN = 'erin.localhost';
const CLUB = 'club.localhost';
const FRANK = 'frank.localhost';

describe('relationships: CONN and FLLW state machines, permissions and broadcast recipients (protocol §2.6, §2.8, §2.9)', () => {
  let stack: FederationStack;

  beforeAll(async () => {
    stack = await startFederationStack({ tenants: [ALICE, BOB, CAROL, DAVE, ERIN, CLUB, FRANK] });
  });

  afterAll(() => stack?.close());

  const { call, create, actionsOf, arrived, answer } = actionClient(() => stack);
  const relation = (tenant: string, peer: string) =>
    stack.identity.rpc.request(getRelationship, { tenant, peer });

  it('a CONN request waits at the receiver; CONN:ACC connects both sides', async () => {
    const request = await create(ALICE, {
      type: 'CONN',
      audienceTag: BOB,
      content: 'let us connect',
    });
    expect(await relation(ALICE, BOB)).toMatchObject({ following: true, connected: 'R' });
    await arrived(BOB, request.actionId, 'C'); // awaiting bob's decision
    expect(await relation(BOB, ALICE)).toMatchObject({ follower: true, connected: 'false' });

    const accept = await create(BOB, { type: 'CONN', subType: 'ACC', audienceTag: ALICE });
    expect(await relation(BOB, ALICE)).toMatchObject({ connected: 'true', following: true });
    await arrived(ALICE, accept.actionId);
    expect(await relation(ALICE, BOB)).toMatchObject({ connected: 'true', follower: true });
  });

  it('an ACC nobody asked for changes nothing', async () => {
    const ack = await create(CAROL, { type: 'CONN', subType: 'ACC', audienceTag: ALICE });
    await arrived(ALICE, ack.actionId, 'N');
    expect(await relation(ALICE, CAROL)).toMatchObject({ connected: 'false' });
    expect(await relation(CAROL, ALICE)).toMatchObject({ connected: 'false' });
  });

  it('a follow makes the follower a recipient of broadcasts; connections receive them too', async () => {
    const follow = await create(CAROL, { type: 'FLLW', audienceTag: ALICE });
    await arrived(ALICE, follow.actionId);
    expect(await relation(ALICE, CAROL)).toMatchObject({ follower: true });

    const post = await create(ALICE, { type: 'POST', content: 'hello, followers' });
    await arrived(BOB, post.actionId);
    await arrived(CAROL, post.actionId);
  });

  it('refuses a POST from a stranger (stored F), and accepts it once the receiver follows the sender', async () => {
    // Our own node refuses to send it (protocol §2.5 outbound rule)...
    const refused = await stack.call(CAROL, 'POST', '/api/actions', {
      token: stack.tokens[CAROL],
      body: { type: 'POST', audienceTag: BOB, content: 'hi stranger' },
    });
    expect([refused.status, errorCodeOf(refused)]).toEqual([403, 'E-AUTH-NOPERM']);
    // ...and a node that sends it anyway finds the receiver refusing it.
    const { token } = await stack.identity.rpc.request(signWithTenantKey, {
      idTag: CAROL,
      claims: { t: 'POST', aud: BOB, c: 'hi stranger', iat: Math.floor(Date.now() / 1000) },
    });
    const direct = dataOf<{ actionId: string }>(
      await stack.call(BOB, 'POST', '/api/inbox', { body: { token } }),
    );
    await arrived(BOB, direct.actionId, 'F');
    const follow = await create(BOB, { type: 'FLLW', audienceTag: CAROL });
    await arrived(CAROL, follow.actionId);
    const again = await create(CAROL, { type: 'POST', audienceTag: BOB, content: 'hi again' });
    // A post on bob's wall waits for his approval (protocol §2.9 APRV)...
    await arrived(BOB, again.actionId, 'C');
    const approved = await answer(BOB, again.actionId, 'accept');
    expect([approved.status, dataOf(approved)]).toEqual([200, null]);
    await arrived(BOB, again.actionId, 'A');
    // ...and the approval goes back to its author, though she does not follow bob.
    const approval = await waitFor(async () =>
      (await actionsOf(CAROL, '?type=APRV')).find((a) => a.issuer.idTag === BOB),
    );
    expect(approval).toMatchObject({ subject: again.actionId });
    expect(await relation(CAROL, BOB)).toMatchObject({ following: false });
    // A sender bob trusts is approved at once.
    const trust = await stack.call(BOB, 'PATCH', `/api/profiles/${CAROL}`, {
      token: stack.tokens[BOB],
      body: { trust: 'always' },
    });
    expect(trust.status).toBe(200);
    const trusted = await create(CAROL, { type: 'POST', audienceTag: BOB, content: 'trusted' });
    await arrived(BOB, trusted.actionId);
    await waitFor(async () =>
      (await actionsOf(CAROL, '?type=APRV')).some((a) => a.subject === trusted.actionId),
    );
  });

  it('the receiver answers a waiting request: accept sends CONN:ACC and connects, reject keeps it as D', async () => {
    const request = await create(CAROL, { type: 'CONN', audienceTag: BOB, content: 'carol here' });
    await arrived(BOB, request.actionId, 'C');
    const accepted = await answer(BOB, request.actionId, 'accept');
    expect([accepted.status, dataOf(accepted)]).toEqual([200, null]);
    await arrived(BOB, request.actionId, 'A');
    expect(await relation(BOB, CAROL)).toMatchObject({ connected: 'true' });
    await waitFor(async () => (await relation(CAROL, BOB)).connected === 'true');
    expect((await answer(BOB, request.actionId, 'accept')).status).toBe(404);

    const unwanted = await create(ALICE, { type: 'CONN', audienceTag: CAROL, content: 'again?' });
    await arrived(CAROL, unwanted.actionId, 'C');
    const rejected = await answer(CAROL, unwanted.actionId, 'reject');
    expect([rejected.status, dataOf(rejected)]).toEqual([200, null]);
    await arrived(CAROL, unwanted.actionId, 'D');
    expect(await relation(CAROL, ALICE)).toMatchObject({ connected: 'false' });
    // Bob cannot answer carol's actions.
    expect((await answer(BOB, unwanted.actionId, 'accept')).status).toBe(404);
    expect((await answer(BOB, 'not-an-id', 'accept')).status).toBe(400);
  });

  it('FLLW:DEL and CONN:DEL undo what they did', async () => {
    const unfollow = await create(CAROL, { type: 'FLLW', subType: 'DEL', audienceTag: ALICE });
    await arrived(ALICE, unfollow.actionId, 'N');
    expect(await relation(ALICE, CAROL)).toMatchObject({ follower: false });
    const disconnect = await create(ALICE, { type: 'CONN', subType: 'DEL', audienceTag: BOB });
    expect(await relation(ALICE, BOB)).toMatchObject({ connected: 'false' });
    await arrived(BOB, disconnect.actionId, 'N');
    expect(await relation(BOB, ALICE)).toMatchObject({ connected: 'false' });
    // The notice can be put away; a second time there is nothing left to dismiss.
    const first = await answer(BOB, disconnect.actionId, 'dismiss');
    expect([first.status, dataOf(first)]).toEqual([200, null]);
    await arrived(BOB, disconnect.actionId, 'D');
    expect((await answer(BOB, disconnect.actionId, 'dismiss')).status).toBe(404);
  });
  it('the receiver’s settings decide a stranger’s request: auto-accept, ignore, no followers', async () => {
    const setting = async (idTag: string, name: string, value: unknown) =>
      expect((await call(idTag, 'PUT', `/api/settings/${name}`, { value })).status).toBe(200);
    await setting(DAVE, 'profile.connection_mode', 'A');
    // (Earlier requests from this address may have raised proof of work: the request that arrives
    // can be a re-signed one with another id, so it is found by its issuer.)
    const requestFrom = (issuer: string, status: string) =>
      waitFor(async () =>
        (await actionsOf(DAVE, `?type=CONN&issuer=${issuer}&status=${status}`)).at(0),
      );
    await create(ERIN, { type: 'CONN', audienceTag: DAVE, content: 'hello dave' });
    await requestFrom(ERIN, 'A');
    expect(await relation(DAVE, ERIN)).toMatchObject({ connected: 'true', follower: true });
    await waitFor(async () => (await relation(ERIN, DAVE)).connected === 'true');

    await setting(DAVE, 'profile.connection_mode', 'I');
    await create(CAROL, { type: 'CONN', audienceTag: DAVE, content: 'hi?' });
    await requestFrom(CAROL, 'D');
    expect(await relation(DAVE, CAROL)).toMatchObject({ connected: 'false', follower: false });

    await setting(DAVE, 'profile.allow_followers', false);
    const follow = await create(BOB, { type: 'FLLW', audienceTag: DAVE });
    await waitFor(async () =>
      (await actionsOf(DAVE, '?status=D&type=FLLW')).some((a) => a.actionId === follow.actionId),
    );
    expect(await relation(DAVE, BOB)).toMatchObject({ follower: false });
  });

  it('a community’s invitation: accepting it asks for the connection, which the community grants at once, as a contributor', async () => {
    const follow = await create(FRANK, { type: 'FLLW', audienceTag: CLUB });
    await arrived(CLUB, follow.actionId);
    const invitation = await create(CLUB, {
      type: 'INVT',
      audienceTag: FRANK,
      subject: `@${CLUB}`,
      content: { message: 'join us' },
    });
    await arrived(FRANK, invitation.actionId, 'C');
    expect((await answer(FRANK, invitation.actionId, 'accept')).status).toBe(200);
    // Frank's node sent the CONN; the club's manual connection mode does not hold it back.
    await waitFor(async () => (await relation(CLUB, FRANK)).connected === 'true');
    expect(await relation(CLUB, FRANK)).toMatchObject({ roles: ['contributor'], follower: true });
    await waitFor(async () => (await relation(FRANK, CLUB)).connected === 'true');
    // The invitation is used up.
    expect((await actionsOf(CLUB, '?type=INVT')).map((a) => a.actionId)).not.toContain(
      invitation.actionId,
    );

    // Without an invitation the same request waits for the club, and gives no role.
    await create(ERIN, { type: 'CONN', audienceTag: CLUB, content: 'me too?' });
    // (Found by issuer: proof of work may have had the request re-signed on its way.)
    await waitFor(async () => (await actionsOf(CLUB, `?type=CONN&issuer=${ERIN}&status=C`)).at(0));
    expect(await relation(CLUB, ERIN)).toMatchObject({ connected: 'false', roles: [] });
  });
});
