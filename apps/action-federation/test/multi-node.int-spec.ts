import {
  actionStored,
  type EventPayload,
  getRelationship,
  issueProxyToken,
  rotateTenantKey,
  signWithTenantKey,
} from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { dataOf, freePort, waitFor } from '@cloudillo/testing';
import { Queue } from 'bullmq';

import { DELIVER_QUEUE, queueOptions } from '../src/delivery/federation-queues';
import { type ActionView } from '../src/actions/action-view';
import { actionClient } from './action-client';
import { type FederationStack, startFederationStack } from './federation-stack';

// Two deployments on loopback, each with its own NATS, database schema, queues and gateway; they
// reach each other only through their gateways (peer maps), as real nodes do over HTTPS.
const ALICE = 'alice.node-a.localhost';
const DAVE = 'dave.node-a.localhost';
const BOB = 'bob.node-b.localhost';
const ERIN = 'erin.node-b.localhost';
const FRANK = 'frank.node-b.localhost';

describe('federation between two platform instances over real HTTP (protocol §2.6–§2.9)', () => {
  let a: FederationStack;
  let b: FederationStack;
  const nodeOf = (idTag: string) => (idTag.endsWith('.node-a.localhost') ? a : b);

  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    // Enough attempts that a receiver that is down for a while costs no delivery; the circuit
    // breaker keeps the attempts from being spent.
    const config = {
      delivery: { backoffMs: 100, attempts: 20, concurrency: 16 },
      breaker: { threshold: 3, openMs: 300, maxOpenMs: 2_000 },
    };
    a = await startFederationStack({
      tenants: [ALICE, DAVE],
      baseIdTag: 'node-a.localhost',
      gatewayPort: portA,
      peers: { '*.node-b.localhost': `http://127.0.0.1:${portB}` },
      config,
    });
    b = await startFederationStack({
      tenants: [BOB, ERIN, FRANK],
      baseIdTag: 'node-b.localhost',
      gatewayPort: portB,
      peers: { '*.node-a.localhost': `http://127.0.0.1:${portA}` },
      config,
    });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const { create, actionOf, actionsOf: listOf, arrived, answer } = actionClient(nodeOf);
  const relation = (tenant: string, peer: string) =>
    nodeOf(tenant).identity.rpc.request(getRelationship, { tenant, peer });
  const failedRows = async (idTag: string) => listOf(idTag, '?status=F');

  it('CONN → CONN:ACC across nodes connects both sides', async () => {
    const request = await create(ALICE, { type: 'CONN', audienceTag: BOB, content: 'hi bob' });
    await arrived(BOB, request.actionId, 'C');
    expect((await answer(BOB, request.actionId, 'accept')).status).toBe(200);
    await waitFor(async () => (await relation(ALICE, BOB)).connected === 'true');
    expect(await relation(BOB, ALICE)).toMatchObject({ connected: 'true', follower: true });
    expect(await relation(ALICE, BOB)).toMatchObject({ connected: 'true', following: true });
  });

  it('mutual CONN requests connect without anyone accepting', async () => {
    await Promise.all([
      create(DAVE, { type: 'CONN', audienceTag: FRANK }),
      create(FRANK, { type: 'CONN', audienceTag: DAVE }),
    ]);
    await waitFor(async () => (await relation(DAVE, FRANK)).connected === 'true');
    await waitFor(async () => (await relation(FRANK, DAVE)).connected === 'true');
  });

  let post: ActionView;
  let comment: ActionView;

  it('FLLW, then a POST reaches the follower on the other node', async () => {
    const follow = await create(FRANK, { type: 'FLLW', audienceTag: ALICE });
    await arrived(ALICE, follow.actionId);
    await waitFor(async () => (await relation(ALICE, FRANK)).follower);
    post = await create(ALICE, { type: 'POST', content: 'hello, world', visibility: 'P' });
    // Bob (connected) and Frank (following) both receive it.
    await arrived(FRANK, post.actionId);
    await arrived(BOB, post.actionId);
  });

  it('a key rotation at the author loses no delivery: the new key is published before it signs', async () => {
    // Frank's node read Alice's profile just now (the post above) and will not read it again
    // within the minute; her new key must not name itself in a token before then.
    const { keyId } = await a.identity.rpc.request(rotateTenantKey, { idTag: ALICE });
    const next = await create(ALICE, {
      type: 'POST',
      content: 'after a rotation',
      visibility: 'P',
    });
    const atFrank = await arrived(FRANK, next.actionId);
    expect(atFrank.status).toBe('A');
    expect(keyId).toMatch(/^\d{6}[b-z]?$/);
  });

  it('CMNT and REACT reach the post’s owner, and a STAT with the counters comes back', async () => {
    comment = await create(BOB, { type: 'CMNT', parentId: post.actionId, content: 'nice' });
    expect(comment.audience).toEqual({ idTag: ALICE }); // inherited from the parent
    const like = await create(FRANK, { type: 'REACT', subType: 'LIKE', subject: post.actionId });
    await arrived(ALICE, comment.actionId);
    await arrived(ALICE, like.actionId);
    // The thread as a client reads it: comments by parent, interactions by type list.
    const thread = await listOf(ALICE, `?type=CMNT&parentId=${post.actionId}`);
    expect(thread.map((x) => x.actionId)).toEqual([comment.actionId]);
    const both = await listOf(ALICE, `?type=CMNT,REACT&issuer=${FRANK}`);
    expect(both.map((x) => x.actionId)).toEqual([like.actionId]);
    const counted = (view: ActionView | undefined) =>
      view?.stat?.commentCount === 1 && view.stat.reactions === 'LIKE:1';
    await waitFor(async () => counted(await actionOf(ALICE, post.actionId)), 15_000, 'own stat');
    // The STAT reaches the followers and everyone who took part, on the other node.
    await waitFor(async () => counted(await actionOf(BOB, post.actionId)), 15_000, 'bob stat');
    await waitFor(async () => counted(await actionOf(FRANK, post.actionId)), 15_000, 'frank stat');
    // A second reaction from the same person replaces the first (dedup key), counts once.
    await create(FRANK, { type: 'REACT', subType: 'LOVE', subject: post.actionId });
    await waitFor(
      async () => (await actionOf(BOB, post.actionId))?.stat?.reactions === 'LOVE:1',
      15_000,
      'LOVE replaces LIKE',
    );
  });

  it('DELETE takes a comment back: gone at the post’s owner, and the count follows', async () => {
    const res = await b.call(BOB, 'DELETE', `/api/actions/${comment.actionId}`, {
      token: b.tokens[BOB],
    });
    expect([res.status, dataOf(res)]).toEqual([200, null]);
    await arrived(BOB, comment.actionId, 'D');
    await waitFor(async () => (await actionOf(ALICE, comment.actionId))?.status === 'D');
    await waitFor(
      async () => (await actionOf(FRANK, post.actionId))?.stat?.commentCount === 0,
      15_000,
      'the STAT after the retraction',
    );
    // Only one's own actions can be taken back.
    const foreign = await a.call(ALICE, 'DELETE', `/api/actions/${comment.actionId}`, {
      token: a.tokens[ALICE],
    });
    expect(foreign.status).toBe(404);
  });

  it('FSHR is offered (waits as C) and accepted; the acceptance is announced on NATS', async () => {
    const events: EventPayload<typeof actionStored>[] = [];
    const unsubscribe = b.identity.rpc.subscribe(actionStored, (e) => events.push(e));
    try {
      const share = await create(ALICE, {
        type: 'FSHR',
        audienceTag: BOB,
        subject: 'f1~Qm9iIHRoZSBmaWxlIGlkIGZvciB0aGlzIHRlc3QgaXM',
        content: { contentType: 'text/plain', fileName: 'notes.txt', fileTp: 'BLOB' },
      });
      await arrived(BOB, share.actionId, 'C');
      expect((await answer(BOB, share.actionId, 'accept')).status).toBe(200);
      await arrived(BOB, share.actionId, 'A');
      await waitFor(async () =>
        events.some((e) => e.actionId === share.actionId && e.status === 'A' && e.tenant === BOB),
      );
      expect(events.find((e) => e.actionId === share.actionId && e.status === 'C')).toMatchObject({
        type: 'FSHR',
        issuer: ALICE,
        tenant: BOB,
      });
    } finally {
      unsubscribe();
    }
  });

  it('REPOST of a public post: the reposter’s followers get it with the original, the author too', async () => {
    const follow = await create(DAVE, { type: 'FLLW', audienceTag: ERIN });
    await arrived(ERIN, follow.actionId);
    await waitFor(async () => (await relation(ERIN, DAVE)).follower);
    // Erin does not follow Alice: she has the post only because Frank's REPOST brings it along.
    const followAlice = await create(ERIN, { type: 'FLLW', audienceTag: ALICE });
    await arrived(ALICE, followAlice.actionId);
    await waitFor(async () => (await relation(ALICE, ERIN)).follower);
    const original = await create(ALICE, { type: 'POST', content: 'share me', visibility: 'P' });
    await arrived(ERIN, original.actionId);
    const repost = await create(ERIN, { type: 'REPOST', subject: original.actionId });
    // Dave follows Erin, not Alice: the original arrives as a related token and is kept.
    await arrived(DAVE, repost.actionId);
    await arrived(DAVE, original.actionId);
    // Alice does not follow Erin: R1 lets a repost of her own public post in.
    await arrived(ALICE, repost.actionId);
    expect(await relation(ALICE, ERIN)).toMatchObject({ following: false });

    const hidden = await create(ALICE, {
      type: 'POST',
      content: 'followers only',
      visibility: 'F',
    });
    await arrived(ERIN, hidden.actionId);
    const refused = await b.call(ERIN, 'POST', '/api/actions', {
      token: b.tokens[ERIN],
      body: { type: 'REPOST', subject: hidden.actionId },
    });
    expect(refused.status).toBe(403);
  });

  it('a new follower gets the recent posts it may see through history sync (protocol §2.10)', async () => {
    const old = await create(DAVE, { type: 'POST', content: 'old news', visibility: 'P' });
    const inner = await create(DAVE, {
      type: 'POST',
      content: 'connections only',
      visibility: 'C',
    });
    // Nobody follows Dave on node B yet: nothing was delivered there.
    expect(await actionOf(BOB, old.actionId)).toBeUndefined();
    await create(BOB, { type: 'FLLW', audienceTag: DAVE });
    await arrived(BOB, old.actionId);
    // Bob follows, he is not connected: the connections-only post stays at Dave's.
    expect(await actionOf(BOB, inner.actionId)).toBeUndefined();
    // The outbox, with tokens from the PROXY exchange: a follower sees what followers may, a
    // stranger nothing.
    const outboxFor = async (idTag: string) => {
      const { token } = await b.identity.rpc.request(issueProxyToken, {
        tenant: idTag,
        peer: DAVE,
      });
      const res = await a.call(DAVE, 'GET', '/api/outbox', { token });
      expect(res.status).toBe(200);
      return dataOf<{ items: { token: string }[] }>(res).items;
    };
    const asBob = await outboxFor(BOB);
    expect(asBob.length).toBeGreaterThan(0);
    expect(asBob.map((i) => contentId('a', i.token))).toContain(old.actionId);
    expect(asBob.map((i) => contentId('a', i.token))).not.toContain(inner.actionId);
    expect(await outboxFor(ERIN)).toEqual([]);
  });

  it('visitors see what their relationship allows: connections C, followers F, anyone P', async () => {
    const posts = {
      P: await create(ALICE, { type: 'POST', content: 'for everyone', visibility: 'P' }),
      F: await create(ALICE, { type: 'POST', content: 'for followers', visibility: 'F' }),
      C: await create(ALICE, { type: 'POST', content: 'for connections', visibility: 'C' }),
    };
    const seenBy = async (token: string | undefined) => {
      const res = await a.call(ALICE, 'GET', '/api/actions?type=POST&limit=200', {
        ...(token ? { token } : {}),
      });
      expect(res.status).toBe(200);
      const ids = new Set(dataOf<ActionView[]>(res).map((x) => x.actionId));
      return Object.entries(posts)
        .filter(([, p]) => ids.has(p.actionId))
        .map(([v]) => v);
    };
    const at = async (idTag: string) =>
      (await b.identity.rpc.request(issueProxyToken, { tenant: idTag, peer: ALICE })).token;
    expect(await seenBy(await at(BOB))).toEqual(['P', 'F', 'C']); // connected
    expect(await seenBy(await at(ERIN))).toEqual(['P', 'F']); // follows
    expect(await seenBy(undefined)).toEqual(['P']); // anonymous
    // One by one too: hidden is the same 404 as missing.
    const single = await a.call(ALICE, 'GET', `/api/actions/${posts.C.actionId}`, {
      token: await at(ERIN),
    });
    expect(single.status).toBe(404);
  });

  it('a stranger’s POST is refused (stored F, never active)', async () => {
    const { token } = await b.identity.rpc.request(signWithTenantKey, {
      idTag: BOB,
      claims: { t: 'POST', aud: DAVE, c: 'buy now', iat: Math.floor(Date.now() / 1000) },
    });
    const res = await a.call(DAVE, 'POST', '/api/inbox', { body: { token } });
    expect(res.status).toBe(201);
    const { actionId } = dataOf<{ actionId: string }>(res);
    await waitFor(async () => (await failedRows(DAVE)).some((x) => x.actionId === actionId));
    expect(await actionOf(DAVE, actionId)).toBeUndefined();
  });

  it('a receiving node that is down for a while gets every queued delivery, once, when it is back', async () => {
    await b.stopEdge();
    const posts: ActionView[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        posts.push(await create(ALICE, { type: 'POST', content: `while you were away ${i}` }));
      }
      // Deliveries fail, the breaker opens; give it a few probes before the node returns.
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      await b.startEdge();
    }
    for (const p of posts) {
      await arrived(BOB, p.actionId);
      await arrived(FRANK, p.actionId);
    }
    const ids = new Set(posts.map((p) => p.actionId));
    const atBob = (await listOf(BOB, '?type=POST&limit=200')).filter((x) => ids.has(x.actionId));
    expect(atBob).toHaveLength(posts.length);
    const queue = new Queue(DELIVER_QUEUE, queueOptions(a.config));
    try {
      expect(await queue.getFailedCount()).toBe(0);
    } finally {
      await queue.close();
    }
  });
});
