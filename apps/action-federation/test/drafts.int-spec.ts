import { actionStored, type EventPayload } from '@cloudillo/contracts';
import { dataOf, errorCodeOf, waitFor } from '@cloudillo/testing';

import { type ActionView } from '../src/actions/action-view';
import { actionClient } from './action-client';
import { type FederationStack, startFederationStack } from './federation-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

describe('drafts and scheduled actions: R/S rows under @<n>, PATCH, publish, cancel, placeholders (protocol §2.2, §2.5)', () => {
  let stack: FederationStack;
  const events: EventPayload<typeof actionStored>[] = [];
  let unsubscribe: (() => void) | undefined;

  beforeAll(async () => {
    stack = await startFederationStack({ tenants: [ALICE, BOB] });
    unsubscribe = stack.identity.rpc.subscribe(actionStored, (e) => events.push(e));
    const follow = await create(BOB, { type: 'FLLW', audienceTag: ALICE });
    await arrived(ALICE, follow.actionId);
  });

  afterAll(async () => {
    unsubscribe?.();
    await stack?.close();
  });

  const { call, create, actionOf, actionsOf, arrived, answer } = actionClient(() => stack);
  const postsAt = async (idTag: string) =>
    (await actionsOf(idTag, '?type=POST')).map((a) => a.content);

  it('a draft is kept unsigned under @<n>, changes with PATCH, and leaves only when published', async () => {
    const draft = await create(ALICE, { type: 'POST', content: 'first words', draft: true });
    expect(draft).toMatchObject({ status: 'R', content: 'first words', visibility: 'F' });
    expect(draft.actionId).toMatch(/^@\d+$/);
    expect((await actionsOf(ALICE, '?status=R')).map((a) => a.actionId)).toContain(draft.actionId);
    // Nobody else sees it: not an anonymous caller, not another tenant under the same number.
    expect((await stack.call(ALICE, 'GET', `/api/actions/${draft.actionId}`)).status).toBe(404);
    expect((await call(BOB, 'GET', `/api/actions/${draft.actionId}`)).status).toBe(404);
    expect((await answer(BOB, draft.actionId, 'publish')).status).toBe(404);

    const changed = await call(ALICE, 'PATCH', `/api/actions/${draft.actionId}`, {
      content: 'better words',
    });
    expect(dataOf<ActionView>(changed)).toMatchObject({
      actionId: draft.actionId,
      status: 'R',
      content: 'better words',
    });

    const published = await answer(ALICE, draft.actionId, 'publish');
    expect(published.status).toBe(200);
    const action = dataOf<ActionView>(published);
    expect(action).toMatchObject({ status: 'A', content: 'better words' });
    expect(action.actionId).toMatch(/^a1~/);
    await arrived(BOB, action.actionId);
    expect(await postsAt(BOB)).toEqual(['better words']);
    expect(await actionOf(ALICE, draft.actionId)).toBeUndefined();
    await waitFor(async () =>
      events.find((e) => e.tempId === draft.actionId && e.actionId === action.actionId),
    );
    // Signed actions do not change.
    const immutable = await call(ALICE, 'PATCH', `/api/actions/${action.actionId}`, {
      content: 'rewritten',
    });
    expect([immutable.status, errorCodeOf(immutable)]).toEqual([409, 'E-CORE-CONFLICT']);
    expect((await answer(ALICE, draft.actionId, 'publish')).status).toBe(404);
  });

  it('a placeholder reference resolves once its draft is published, and is a conflict before', async () => {
    const post = await create(ALICE, { type: 'POST', content: 'with a comment', draft: true });
    const early = await call(ALICE, 'POST', '/api/actions', {
      type: 'CMNT',
      parentId: post.actionId,
      content: 'too early',
    });
    expect([early.status, errorCodeOf(early)]).toEqual([409, 'E-CORE-CONFLICT']);
    const comment = await create(ALICE, {
      type: 'CMNT',
      parentId: post.actionId,
      content: 'drafted along',
      draft: true,
    });
    expect(comment).toMatchObject({ status: 'R', parentId: post.actionId });

    const published = dataOf<ActionView>(await answer(ALICE, post.actionId, 'publish'));
    const signed = dataOf<ActionView>(await answer(ALICE, comment.actionId, 'publish'));
    expect(signed).toMatchObject({ status: 'A', parentId: published.actionId });
    const later = await create(ALICE, {
      type: 'REACT',
      subType: 'LIKE',
      subject: post.actionId,
    });
    expect(later.subject).toBe(published.actionId);
  });

  it('a scheduled action waits as S, can be cancelled and rescheduled, and is published at its time', async () => {
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const scheduled = await create(ALICE, {
      type: 'POST',
      content: 'later',
      publishAt: inAnHour,
    });
    expect(scheduled.status).toBe('S');
    const cancelled = await answer(ALICE, scheduled.actionId, 'cancel');
    expect(dataOf<ActionView>(cancelled).status).toBe('R');
    const notScheduled = await answer(ALICE, scheduled.actionId, 'cancel');
    expect([notScheduled.status, errorCodeOf(notScheduled)]).toEqual([409, 'E-CORE-CONFLICT']);

    const soon = new Date(Date.now() + 1_500).toISOString();
    const rescheduled = await call(ALICE, 'PATCH', `/api/actions/${scheduled.actionId}`, {
      publishAt: soon,
    });
    expect(dataOf<ActionView>(rescheduled).status).toBe('S');
    expect(await postsAt(BOB)).not.toContain('later');
    await waitFor(async () => (await postsAt(BOB)).includes('later'), 15_000, 'the scheduled post');
    const published = await waitFor(async () =>
      events.find((e) => e.tempId === scheduled.actionId && e.status === 'A'),
    );
    expect((await actionOf(ALICE, published.actionId))?.status).toBe('A');
    expect(await actionsOf(ALICE, '?status=S')).toEqual([]);
  });

  it('a publish the rules refuse leaves the draft, with nothing sent', async () => {
    const parent = await create(ALICE, { type: 'POST', content: 'to be discarded', draft: true });
    const child = await create(ALICE, {
      type: 'CMNT',
      parentId: parent.actionId,
      content: 'orphan',
      draft: true,
    });
    const discarded = await call(ALICE, 'DELETE', `/api/actions/${parent.actionId}`);
    expect([discarded.status, dataOf(discarded)]).toEqual([200, null]);
    expect((await call(ALICE, 'DELETE', `/api/actions/${parent.actionId}`)).status).toBe(404);
    const refused = await answer(ALICE, child.actionId, 'publish');
    expect([refused.status, errorCodeOf(refused)]).toEqual([400, 'E-VAL-INVALID']);
    expect(await actionOf(ALICE, child.actionId)).toMatchObject({ status: 'R' });
    expect(await actionsOf(ALICE, '?type=CMNT&status=A')).not.toContainEqual(
      expect.objectContaining({ content: 'orphan' }),
    );
  });

  it('bad input is a clear 400', async () => {
    const bad = async (method: string, path: string, body?: unknown) => {
      const res = await call(ALICE, method, path, body);
      return [res.status, errorCodeOf(res)];
    };
    const invalid = [400, 'E-VAL-INVALID'];
    expect(
      await bad('POST', '/api/actions', { type: 'POST', content: 'x', publishAt: 'soon' }),
    ).toEqual(invalid);
    expect(await bad('POST', '/api/actions', { type: 'POST', content: 'x', draft: 'yes' })).toEqual(
      invalid,
    );
    expect(await bad('POST', '/api/actions', { type: 'POST', content: 3, draft: true })).toEqual(
      invalid,
    );
    const draft = await create(ALICE, { type: 'POST', content: 'x', draft: true });
    expect(await bad('PATCH', `/api/actions/${draft.actionId}`, {})).toEqual(invalid);
    expect(await bad('PATCH', `/api/actions/${draft.actionId}`, { type: 'CMNT' })).toEqual(invalid);
    expect(await bad('POST', '/api/actions/@abc/publish')).toEqual(invalid);
    expect(await bad('POST', `/api/actions/a1~${'x'.repeat(43)}/publish`)).toEqual(invalid);
    expect(
      await bad('POST', '/api/actions', { type: 'POST', parentId: '@999999999', content: 'x' }),
    ).toEqual(invalid);
  });
});
