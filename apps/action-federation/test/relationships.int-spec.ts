import { getRelationship, signWithTenantKey } from '@cloudillo/contracts';
import { dataOf, errorCodeOf, waitFor } from '@cloudillo/testing';

import { type ActionView } from '../src/actions/action-view';
import { type FederationStack, startFederationStack } from './federation-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';

describe('relationships: CONN and FLLW state machines, permissions and broadcast recipients (protocol §2.6, §2.8, §2.9)', () => {
  let stack: FederationStack;

  beforeAll(async () => {
    stack = await startFederationStack({ tenants: [ALICE, BOB, CAROL] });
  });

  afterAll(() => stack?.close());

  const create = async (idTag: string, body: Record<string, unknown>) => {
    const res = await stack.call(idTag, 'POST', '/api/actions', {
      token: stack.tokens[idTag],
      body,
    });
    expect([body['type'], res.status]).toEqual([body['type'], 201]);
    return dataOf<ActionView>(res);
  };
  const actionsOf = async (idTag: string, query = '') =>
    dataOf<ActionView[]>(
      await stack.call(idTag, 'GET', `/api/actions${query}`, { token: stack.tokens[idTag] }),
    );
  const arrived = (idTag: string, actionId: string, status = 'A') =>
    waitFor(async () =>
      (await actionsOf(idTag, `?status=${status}`)).find((a) => a.actionId === actionId),
    );
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
    const approved = await stack.call(BOB, 'POST', `/api/actions/${again.actionId}/accept`, {
      token: stack.tokens[BOB],
    });
    expect(dataOf<ActionView>(approved).status).toBe('A');
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
    const accepted = await stack.call(BOB, 'POST', `/api/actions/${request.actionId}/accept`, {
      token: stack.tokens[BOB],
    });
    expect(accepted.status).toBe(200);
    expect(dataOf<ActionView>(accepted)).toMatchObject({ actionId: request.actionId, status: 'A' });
    expect(await relation(BOB, CAROL)).toMatchObject({ connected: 'true' });
    await waitFor(async () => (await relation(CAROL, BOB)).connected === 'true');
    const twice = await stack.call(BOB, 'POST', `/api/actions/${request.actionId}/accept`, {
      token: stack.tokens[BOB],
    });
    expect(twice.status).toBe(404);

    const unwanted = await create(ALICE, { type: 'CONN', audienceTag: CAROL, content: 'again?' });
    await arrived(CAROL, unwanted.actionId, 'C');
    const rejected = await stack.call(CAROL, 'POST', `/api/actions/${unwanted.actionId}/reject`, {
      token: stack.tokens[CAROL],
    });
    expect(dataOf<ActionView>(rejected)).toMatchObject({ status: 'D' });
    expect(await relation(CAROL, ALICE)).toMatchObject({ connected: 'false' });
    // Bob cannot answer carol's actions.
    expect(
      (
        await stack.call(BOB, 'POST', `/api/actions/${unwanted.actionId}/accept`, {
          token: stack.tokens[BOB],
        })
      ).status,
    ).toBe(404);
    expect(
      (await stack.call(BOB, 'POST', '/api/actions/not-an-id/accept', { token: stack.tokens[BOB] }))
        .status,
    ).toBe(400);
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
    const dismiss = () =>
      stack.call(BOB, 'POST', `/api/actions/${disconnect.actionId}/dismiss`, {
        token: stack.tokens[BOB],
      });
    const first = await dismiss();
    expect([first.status, dataOf<ActionView>(first).status]).toEqual([200, 'D']);
    expect((await dismiss()).status).toBe(404);
  });
});
