import { waitFor } from '@cloudillo/testing';

import { type CollabStack, startCollabStack } from './collab-stack';
import { closeCodeOf } from './crdt-clients';
import { RtdbTestClient } from './rtdb-client';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

describe('real-time database /ws/rtdb (protocol §7)', () => {
  let stack: CollabStack;
  const clients: RtdbTestClient[] = [];

  beforeAll(async () => {
    stack = await startCollabStack({ tenants: [ALICE, BOB] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) {
      // Every frame any client received had the shape the upstream client decodes.
      expect(client.invalid).toEqual([]);
      client.close();
    }
  });
  afterAll(() => stack?.close());

  const open = async (fileId: string, query = '', port = stack.gatewayPort) => {
    const client = await RtdbTestClient.open(
      port,
      ALICE,
      fileId,
      `token=${stack.tokens[ALICE]}${query}`,
    );
    clients.push(client);
    return client;
  };
  const newDb = () => stack.createFile(ALICE, 'RTDB');

  it('creates with references and computed values, merges updates, replaces and deletes', async () => {
    const db = await open(await newDb());
    const tx = await db.request({
      type: 'transaction',
      operations: [
        {
          type: 'create',
          path: 'posts',
          data: { title: 'Hello', slug: { $fn: 'slugify', args: ['Hello World'] } },
          ref: '$post',
        },
        { type: 'create', path: 'posts/${$post}/comments', data: { text: 'first' } },
        { type: 'update', path: 'stats/main', data: { posts: { $op: 'increment', by: 1 } } },
      ],
    });
    expect(tx.type).toBe('transactionResult');
    if (tx.type !== 'transactionResult') return;
    const [post, comment, stats] = tx.results;
    expect(post).toEqual({ ref: '$post', id: expect.any(String) });
    expect(comment).toEqual({ ref: null, id: expect.any(String) });
    expect(stats).toEqual({ ref: null, id: null });

    const got = await db.request({ type: 'get', path: `posts/${post?.id}` });
    expect(got).toMatchObject({
      type: 'getResult',
      data: { id: post?.id, title: 'Hello', slug: 'hello-world' },
    });
    const comments = await db.request({ type: 'query', path: `posts/${post?.id}/comments` });
    expect(comments).toMatchObject({
      type: 'queryResult',
      data: [{ text: 'first', id: comment?.id }],
    });

    await db.request({
      type: 'transaction',
      operations: [{ type: 'update', path: `posts/${post?.id}`, data: { draft: true } }],
    });
    expect(await db.request({ type: 'get', path: `posts/${post?.id}` })).toMatchObject({
      data: { title: 'Hello', draft: true },
    });
    await db.request({
      type: 'transaction',
      operations: [{ type: 'replace', path: `posts/${post?.id}`, data: { title: 'Only' } }],
    });
    const replaced = await db.request({ type: 'get', path: `posts/${post?.id}` });
    expect(replaced).toEqual({
      type: 'getResult',
      id: expect.any(Number),
      data: { title: 'Only', id: post?.id },
    });
    await db.request({
      type: 'transaction',
      operations: [{ type: 'delete', path: `posts/${post?.id}` }],
    });
    expect(await db.request({ type: 'get', path: `posts/${post?.id}` })).toMatchObject({
      data: null,
    });
  });

  it('a transaction is all or nothing', async () => {
    const db = await open(await newDb());
    const failed = await db.request({
      type: 'transaction',
      operations: [
        { type: 'create', path: 'items', data: { n: 1 } },
        { type: 'update', path: 'items/x', data: { n: { $op: 'explode' } } },
      ],
    });
    expect(failed).toMatchObject({ type: 'error', code: 400 });
    expect(await db.request({ type: 'query', path: 'items' })).toMatchObject({ data: [] });
  });

  it('queries filter, sort, page, select and aggregate', async () => {
    const db = await open(await newDb());
    const rows = [
      { name: 'a', kind: 'x', n: 3, tags: ['red'] },
      { name: 'b', kind: 'y', n: 1, tags: ['red', 'blue'] },
      { name: 'c', kind: 'x', n: 2, tags: [] },
    ];
    await db.request({
      type: 'transaction',
      operations: rows.map((data) => ({ type: 'create', path: 'rows', data })),
    });
    const names = async (query: Record<string, unknown>) => {
      const res = await db.request({ type: 'query', path: 'rows', ...query });
      return res.type === 'queryResult' ? res.data.map((d) => (d as { name: string }).name) : res;
    };
    expect(
      await names({ filter: { equals: { kind: 'x' } }, sort: [{ field: 'n', ascending: true }] }),
    ).toEqual(['c', 'a']);
    expect(
      await names({
        filter: { greaterThan: { n: 1 } },
        sort: [{ field: 'name', ascending: false }],
      }),
    ).toEqual(['c', 'a']);
    expect(
      await names({
        filter: { arrayContains: { tags: 'red' } },
        sort: [{ field: 'n', ascending: true }],
      }),
    ).toEqual(['b', 'a']);
    expect(await names({ filter: { inArray: { name: ['a', 'c'] }, notEquals: { n: 3 } } })).toEqual(
      ['c'],
    );
    expect(await names({ sort: [{ field: 'n', ascending: false }], limit: 1, offset: 1 })).toEqual([
      'c',
    ]);
    const selected = await db.request({
      type: 'query',
      path: 'rows',
      select: ['name'],
      filter: { equals: { name: 'a' } },
    });
    expect(selected).toMatchObject({ data: [{ name: 'a', id: expect.any(String) }] });
    expect(
      selected.type === 'queryResult' && Object.keys(selected.data[0] as object).sort(),
    ).toEqual(['id', 'name']);
    const groups = await db.request({
      type: 'query',
      path: 'rows',
      aggregate: {
        groupBy: 'kind',
        ops: [
          { op: 'sum', field: 'n' },
          { op: 'max', field: 'n' },
        ],
      },
    });
    expect(groups).toMatchObject({
      data: [
        { group: 'x', count: 2, sum_n: 5, max_n: 3 },
        { group: 'y', count: 1, sum_n: 1, max_n: 1 },
      ],
    });
  });

  it('a subscriber gets ready with the current documents, then every change a transaction makes', async () => {
    const fileId = await newDb();
    const writer = await open(fileId);
    await writer.request({
      type: 'transaction',
      operations: [{ type: 'create', path: 'todo', data: { t: 'old', done: false } }],
    });
    const reader = await open(fileId, '&access=read');
    const sub = await reader.request({
      type: 'subscribe',
      path: 'todo',
      filter: { equals: { done: false } },
    });
    if (sub.type !== 'subscribeResult') throw new Error(JSON.stringify(sub));
    const ready = await reader.changeWhere((c) => c.event.action === 'ready');
    expect(ready.event).toEqual({
      action: 'ready',
      path: 'todo',
      data: [{ t: 'old', done: false, id: expect.any(String) }],
    });

    const created = await writer.request({
      type: 'transaction',
      operations: [{ type: 'create', path: 'todo', data: { t: 'new', done: false } }],
    });
    const id = created.type === 'transactionResult' ? created.results[0]?.id : undefined;
    const create = await reader.changeWhere((c) => c.event.action === 'create');
    expect(create).toEqual({
      type: 'change',
      subscriptionId: sub.subscriptionId,
      event: { action: 'create', path: `todo/${id}`, data: { t: 'new', done: false, id } },
    });
    // Leaving the filter is a delete for this subscriber.
    await writer.request({
      type: 'transaction',
      operations: [{ type: 'update', path: `todo/${id}`, data: { done: true } }],
    });
    await reader.changeWhere((c) => c.event.action === 'delete' && c.event.path === `todo/${id}`);

    // The read-only subscriber may not write.
    const refused = await reader.request({
      type: 'transaction',
      operations: [{ type: 'create', path: 'todo', data: {} }],
    });
    expect(refused).toMatchObject({ type: 'error', code: 403 });
    expect(
      await reader.request({ type: 'unsubscribe', subscriptionId: sub.subscriptionId }),
    ).toMatchObject({ type: 'unsubscribeResult' });
  });

  it('20 clients incrementing one field at once sum exactly', async () => {
    const fileId = await newDb();
    const writers = await Promise.all(Array.from({ length: 20 }, () => open(fileId)));
    await Promise.all(
      writers.flatMap((w) =>
        Array.from({ length: 5 }, () =>
          w.request({
            type: 'transaction',
            operations: [
              { type: 'update', path: 'counters/c', data: { n: { $op: 'increment', by: 1 } } },
            ],
          }),
        ),
      ),
    );
    expect(await writers[0]?.request({ type: 'get', path: 'counters/c' })).toMatchObject({
      data: { n: 100 },
    });
  });

  it('a hard lock blocks another writer (423), a soft one does not; closing the socket releases it', async () => {
    const fileId = await newDb();
    const a = await open(fileId);
    const b = await RtdbTestClient.open(
      stack.gatewayPort,
      ALICE,
      fileId,
      `token=${await guestWriterToken(fileId)}`,
    );
    clients.push(b);
    await a.request({
      type: 'transaction',
      operations: [{ type: 'replace', path: 'docs/d', data: { v: 0 } }],
    });
    await b.request({ type: 'subscribe', path: 'docs' });
    expect(await a.request({ type: 'lock', path: 'docs/d', mode: 'hard' })).toEqual({
      type: 'lockResult',
      id: expect.any(Number),
      locked: true,
    });
    await b.changeWhere((c) => c.event.action === 'lock');
    expect(await b.request({ type: 'lock', path: 'docs/d', mode: 'soft' })).toMatchObject({
      locked: false,
      holder: ALICE,
      mode: 'hard',
    });
    const blocked = await b.request({
      type: 'transaction',
      operations: [{ type: 'update', path: 'docs/d', data: { v: 1 } }],
    });
    expect(blocked).toMatchObject({ type: 'error', code: 423 });
    // The holder still writes.
    expect(
      await a.request({
        type: 'transaction',
        operations: [{ type: 'update', path: 'docs/d', data: { v: 2 } }],
      }),
    ).toMatchObject({ type: 'transactionResult' });
    a.close();
    await b.changeWhere((c) => c.event.action === 'unlock', 'unlock after close');
    expect(
      await b.request({
        type: 'transaction',
        operations: [{ type: 'update', path: 'docs/d', data: { v: 3 } }],
      }),
    ).toMatchObject({ type: 'transactionResult' });
    // A soft lock is advice only.
    expect(await b.request({ type: 'lock', path: 'docs/d', mode: 'soft' })).toMatchObject({
      locked: true,
    }); // Guests with share links are each their own user: one's hard lock holds the other off too.
    expect(await b.request({ type: 'lock', path: 'docs/d', mode: 'hard' })).toMatchObject({
      locked: true,
    });
    const otherGuest = await RtdbTestClient.open(
      stack.gatewayPort,
      ALICE,
      fileId,
      `token=${await guestWriterToken(fileId)}`,
    );
    clients.push(otherGuest);
    const refused = await otherGuest.request({
      type: 'transaction',
      operations: [{ type: 'delete', path: 'docs/d' }],
    });
    expect(refused).toMatchObject({ code: 423 });
  });

  /** A token for another user: a share link's write token (anonymous, scoped to the file). */
  async function guestWriterToken(fileId: string): Promise<string> {
    const ref = await stack.call(ALICE, 'POST', '/api/refs', {
      token: stack.tokens[ALICE],
      body: { type: 'share.file', resourceId: fileId, accessLevel: 'write', count: 5 },
    });
    if (ref.status >= 300) throw new Error(`share link: ${ref.status} ${ref.text}`);
    const refId = (ref.json as { data: { refId: string } }).data.refId;
    const res = await stack.call(ALICE, 'GET', `/api/auth/access-token?refId=${refId}`);
    if (res.status !== 200) throw new Error(`link token: ${res.status} ${res.text}`);
    return (res.json as { data: { token: string } }).data.token;
  }

  it('answers bad input with error frames and keeps serving', async () => {
    const db = await open(await newDb());
    db.sendRaw('not json');
    db.sendRaw(Buffer.from([1, 2, 3]));
    await waitFor(async () => db.orphanErrors.length === 2);
    expect(db.orphanErrors).toEqual([
      expect.objectContaining({ type: 'error', code: 400 }),
      expect.objectContaining({ type: 'error', code: 400 }),
    ]);
    const bad = [
      { type: 'explode' },
      { type: 'query', path: 'a/../b' },
      { type: 'query', path: 'coll/doc' },
      { type: 'get', path: 'coll' },
      { type: 'query', path: 'rows', filter: { like: { name: 'a%' } } },
      { type: 'transaction', operations: [] },
      { type: 'transaction', operations: [{ type: 'upsert', path: 'rows' }] },
      { type: 'transaction', operations: [{ type: 'create', path: 'rows/${$missing}/x' }] },
      { type: 'lock', path: 'rows/r', mode: 'forever' },
    ];
    for (const message of bad)
      expect(await db.request(message)).toMatchObject({ type: 'error', code: 400 });
    expect(await db.request({ type: 'ping' })).toEqual({ type: 'pong', id: expect.any(Number) });
  });

  it('another tenant cannot open the database; a file that is not one closes 4409', async () => {
    const fileId = await newDb();
    expect(
      await closeCodeOf(stack.gatewayPort, BOB, `/ws/rtdb/${fileId}?token=${stack.tokens[BOB]}`),
    ).toBe(4404);
    expect(
      await closeCodeOf(stack.gatewayPort, ALICE, `/ws/rtdb/${fileId}?token=${stack.tokens[BOB]}`),
    ).toBe(4401);
    const doc = await stack.createFile(ALICE, 'CRDT');
    expect(
      await closeCodeOf(stack.gatewayPort, ALICE, `/ws/rtdb/${doc}?token=${stack.tokens[ALICE]}`),
    ).toBe(4409);
  });

  it('subscribers on another instance hear the changes (NATS fan-out)', async () => {
    const replica = await stack.startReplica();
    try {
      const fileId = await newDb();
      const there = await open(fileId, '', replica.port);
      await there.request({ type: 'subscribe', path: 'feed' });
      await there.changeWhere((c) => c.event.action === 'ready');
      const here = await open(fileId, '', stack.config.http.port);
      await here.request({
        type: 'transaction',
        operations: [{ type: 'create', path: 'feed', data: { m: 'hi' } }],
      });
      const seen = await there.changeWhere((c) => c.event.action === 'create');
      expect(seen.event.data).toMatchObject({ m: 'hi' });
      there.close();
      here.close();
    } finally {
      await replica.close();
    }
  });
});
