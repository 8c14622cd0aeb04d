import { getRelationship, issueProxyToken } from '@cloudillo/contracts';
import { dataOf, waitFor } from '@cloudillo/testing';

import { type ActionView } from '../src/actions/action-view';
import { actionClient } from './action-client';
import { type FederationStack, startFederationStack } from './federation-stack';

const ALICE = 'alice.localhost';
const CAROL = 'carol.localhost';
const EVE = 'eve.localhost';

/**
 * Visibility is judged against the action's issuer (issue 20): Carol's followers-only post that
 * Alice's node holds is for Alice and Carol, never for Alice's followers — Alice's node cannot
 * tell who follows Carol. Failed on the code before the change (Eve saw Carol's post).
 */
describe('adversarial visibility: another issuer’s audience is not the tenant’s', () => {
  let stack: FederationStack;
  const { create, arrived } = actionClient(() => stack);
  let carolsPost: ActionView;
  let alicesPost: ActionView;

  beforeAll(async () => {
    stack = await startFederationStack({ tenants: [ALICE, CAROL, EVE] });
    await create(ALICE, { type: 'FLLW', audienceTag: CAROL });
    await create(EVE, { type: 'FLLW', audienceTag: ALICE });
    await waitFor(async () => {
      const [carol, alice] = await Promise.all([
        stack.identity.rpc.request(getRelationship, { tenant: CAROL, peer: ALICE }),
        stack.identity.rpc.request(getRelationship, { tenant: ALICE, peer: EVE }),
      ]);
      return carol.follower && alice.follower;
    });
    carolsPost = await create(CAROL, {
      type: 'POST',
      content: 'for my followers',
      visibility: 'F',
    });
    alicesPost = await create(ALICE, { type: 'POST', content: 'for mine', visibility: 'F' });
    await arrived(ALICE, carolsPost.actionId);
  });

  afterAll(() => stack?.close());

  const at = async (idTag: string) =>
    (await stack.identity.rpc.request(issueProxyToken, { tenant: idTag, peer: ALICE })).token;
  const listedFor = async (token: string) => {
    const res = await stack.call(ALICE, 'GET', '/api/actions?type=POST&limit=200', { token });
    expect(res.status).toBe(200);
    return dataOf<ActionView[]>(res).map((a) => a.actionId);
  };
  const oneFor = async (token: string, actionId: string) =>
    (await stack.call(ALICE, 'GET', `/api/actions/${actionId}`, { token })).status;

  it('Alice’s follower sees Alice’s followers-only post, not Carol’s that Alice holds', async () => {
    const eve = await at(EVE);
    const listed = await listedFor(eve);
    expect(listed).toContain(alicesPost.actionId);
    expect(listed).not.toContain(carolsPost.actionId);
    expect(await oneFor(eve, carolsPost.actionId)).toBe(404);
  });

  it('Carol, its issuer, sees it at Alice’s node; Alice sees everything she holds', async () => {
    const carol = await at(CAROL);
    expect(await listedFor(carol)).toContain(carolsPost.actionId);
    expect(await oneFor(carol, carolsPost.actionId)).toBe(200);
    // Carol does not follow Alice: Alice's own followers-only post is not hers to see.
    expect(await oneFor(carol, alicesPost.actionId)).toBe(404);
    expect(await listedFor(stack.tokens[ALICE] ?? '')).toContain(carolsPost.actionId);
  });
});
