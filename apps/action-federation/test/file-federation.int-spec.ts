import { randomBytes } from 'node:crypto';

import { fileShareGrant, getRelationship } from '@cloudillo/contracts';
import { redisConnection } from '@cloudillo/queues';
import { dataOf, freePort, waitFor } from '@cloudillo/testing';
import { Queue } from 'bullmq';
import sharp from 'sharp';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { VARIANTS_QUEUE } from '../../blob/src/variants/variant-jobs';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bytesCall } from '../../blob/test/bytes-call';

import { actionClient } from './action-client';
import { type FederationStack, startFederationStack } from './federation-stack';

// Two deployments with their blob services: files travel with actions (protocol §2.7 step 11,
// §5.5) and by file shares (FSHR, §2.9), always fetched from the owner and checked by hash.
const ALICE = 'alice.files-a.localhost';
const BOB = 'bob.files-b.localhost';

describe('files across nodes: attachments and file shares', () => {
  let a: FederationStack;
  let b: FederationStack;
  const nodeOf = (idTag: string) => (idTag === ALICE ? a : b);

  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    a = await startFederationStack({
      tenants: [ALICE],
      baseIdTag: 'files-a.localhost',
      gatewayPort: portA,
      peers: { '*.files-b.localhost': `http://127.0.0.1:${portB}` },
      blob: true,
    });
    b = await startFederationStack({
      tenants: [BOB],
      baseIdTag: 'files-b.localhost',
      gatewayPort: portB,
      peers: { '*.files-a.localhost': `http://127.0.0.1:${portA}` },
      blob: true,
    });
    // Bob follows Alice: what she sends him is taken (protocol §2.8).
    const { create, arrived } = actionClient(nodeOf);
    const follow = await create(BOB, { type: 'FLLW', audienceTag: ALICE });
    await arrived(ALICE, follow.actionId);
    await waitFor(
      async () =>
        (await a.identity.rpc.request(getRelationship, { tenant: ALICE, peer: BOB })).follower,
    );
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const { call, create, arrived, answer } = actionClient(nodeOf);
  const upload = async (idTag: string, name: string, query = '') => {
    const content = { note: randomBytes(16).toString('hex') };
    const res = await call(idTag, 'POST', `/api/files/file/${name}${query}`, content);
    expect([res.status, res.text]).toEqual([201, res.text]);
    return { fileId: dataOf<{ fileId: string }>(res).fileId, content };
  };

  it('a POST’s attachment is fetched from its author and served by the follower’s own node', async () => {
    const { fileId, content } = await upload(ALICE, 'photo-notes.json', '?visibility=F');
    // Before the post, Bob's node has no such file.
    expect((await call(BOB, 'GET', `/api/files/${fileId}/metadata`)).status).toBe(404);
    const post = await create(ALICE, {
      type: 'POST',
      content: 'with a file',
      attachments: [fileId],
      visibility: 'F',
    });
    const arrivedPost = await arrived(BOB, post.actionId);
    expect(arrivedPost.attachments).toEqual([{ fileId }]);
    const copy = await call(BOB, 'GET', `/api/files/${fileId}`);
    expect(copy.status).toBe(200);
    expect(JSON.parse(copy.text)).toEqual(content);
    expect(dataOf(await call(BOB, 'GET', `/api/files/${fileId}/metadata`))).toMatchObject({
      fileId,
      owner: { idTag: ALICE },
    });
  });

  it('a POST attaching an image still being processed waits under its @n, then goes out with the file’s content id', async () => {
    // The image's tiers are held back, so its content id cannot be known when the POST is made.
    // It is uploaded without a visibility: only its owner may read it until something opens it.
    const blobConfig = a.blobConfig;
    if (!blobConfig) throw new Error('the blob service runs in this suite');
    const variants = new Queue(VARIANTS_QUEUE, {
      connection: redisConnection(a.config.redisUrl),
      prefix: blobConfig.queuePrefix,
    });
    try {
      await variants.pause();
      const jpeg = await sharp({
        create: { width: 1200, height: 900, channels: 3, background: { r: 30, g: 90, b: 160 } },
      })
        .jpeg()
        .toBuffer();
      const uploaded = await bytesCall(a, ALICE, 'POST', '/api/files/default/lake.jpg', {
        body: jpeg,
        headers: { 'Content-Type': 'image/jpeg' },
      });
      expect(uploaded.status).toBe(201);
      const tempId = (JSON.parse(uploaded.body.toString()) as { data: { fileId: string } }).data
        .fileId;
      expect(tempId).toMatch(/^@\d+$/);
      // A note beside it, ready at once and also for its owner only.
      const note = await upload(ALICE, 'lake-notes.json');
      const visibilityOf = async (id: string) =>
        dataOf<{ visibility?: string }>(await call(ALICE, 'GET', `/api/files/${id}/metadata`))
          .visibility;
      const waiting = await create(ALICE, {
        type: 'POST',
        content: 'the lake this morning',
        attachments: [tempId, note.fileId],
        visibility: 'F',
      });
      expect(waiting).toMatchObject({ actionId: expect.stringMatching(/^@\d+$/), status: 'S' });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(dataOf(await call(ALICE, 'GET', `/api/actions/${waiting.actionId}`))).toMatchObject({
        status: 'S',
      });
      // Nothing is opened for a post that is not signed yet (it may never be).
      expect(await visibilityOf(note.fileId)).toBeUndefined();
      // Publishing it by hand cannot hurry the image: it stays waiting (not a plain draft).
      const hurried = await answer(ALICE, waiting.actionId, 'publish');
      expect([hurried.status, dataOf(hurried)]).toMatchObject([
        200,
        { actionId: waiting.actionId, status: 'S' },
      ]);
      // A post its author scheduled for later, with the same image: its time is the author's.
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const scheduled = await create(ALICE, {
        type: 'POST',
        content: 'the lake, an hour from now',
        attachments: [tempId],
        visibility: 'F',
        publishAt: later,
      });
      await variants.resume();
      const posted = await waitFor(
        async () =>
          dataOf<{ actionId: string; content?: unknown; attachments?: { fileId: string }[] }[]>(
            await call(ALICE, 'GET', '/api/actions?type=POST&issuer=' + ALICE),
          ).find((x) => x.content === 'the lake this morning' && x.actionId.startsWith('a1~')),
        30_000,
        'the waiting POST signed',
      );
      const fileId = posted.attachments?.[0]?.fileId ?? '';
      expect(fileId).toMatch(/^f1~/);
      const atBob = await arrived(BOB, posted.actionId);
      expect(atBob.attachments).toEqual([{ fileId }, { fileId: note.fileId }]);
      expect(await visibilityOf(note.fileId)).toBe('F');
      // Uploaded for the owner only, the image was opened to the post's followers when it was signed.
      expect(dataOf(await call(ALICE, 'GET', `/api/files/${fileId}/metadata`))).toMatchObject({
        visibility: 'F',
      });
      expect((await call(BOB, 'GET', `/api/files/${fileId}/metadata`)).status).toBe(200);
      // The image being ready brought the waiting post forward, never the one scheduled for later.
      expect(dataOf(await call(ALICE, 'GET', `/api/actions/${scheduled.actionId}`))).toMatchObject({
        status: 'S',
        attachments: [{ fileId: tempId }],
      });
    } finally {
      await variants.resume();
      await variants.close();
    }
  }, 60_000);

  it('an attachment naming no upload of the author is refused before signing', async () => {
    const res = await call(ALICE, 'POST', '/api/actions', {
      type: 'POST',
      content: 'nothing attached really',
      attachments: ['@999999999'],
    });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'E-CORE-NOTFOUND' } });
  });

  it('an action naming a file its author cannot serve is refused, not shown', async () => {
    const missing = `f1~${randomBytes(32).toString('base64url')}`;
    const post = await create(ALICE, {
      type: 'POST',
      content: 'the file is not there',
      attachments: [missing],
      visibility: 'F',
    });
    await arrived(BOB, post.actionId, 'F');
    expect((await call(BOB, 'GET', `/api/actions/${post.actionId}`)).status).toBe(404);
    expect((await call(BOB, 'GET', `/api/files/${missing}/metadata`)).status).toBe(404);
  });

  it('a file share reaches the user as an FSHR to accept, then the file is theirs to read', async () => {
    const { fileId, content } = await upload(ALICE, 'private-plan.json');
    const share = await call(ALICE, 'POST', `/api/files/${fileId}/shares`, {
      subjectType: 'U',
      subjectId: BOB,
      permission: 'W',
    });
    expect(share.status).toBe(201);
    const offer = await waitFor(async () => {
      const waiting = dataOf<
        { actionId: string; type: string; subType?: string; subject?: string }[]
      >(await call(BOB, 'GET', '/api/actions?type=FSHR&status=C'));
      return waiting.find((x) => x.subject === fileId);
    });
    expect(offer).toMatchObject({ type: 'FSHR', subType: 'WRITE' });
    // Not accepted yet: Bob's node keeps nothing.
    expect((await call(BOB, 'GET', `/api/files/${fileId}/metadata`)).status).toBe(404);
    expect((await answer(BOB, offer.actionId, 'accept')).status).toBe(200);
    const copy = await call(BOB, 'GET', `/api/files/${fileId}`);
    expect(copy.status).toBe(200);
    expect(JSON.parse(copy.text)).toEqual(content);
    expect(dataOf(await call(BOB, 'GET', `/api/files/${fileId}/metadata`))).toMatchObject({
      fileName: 'private-plan.json',
      owner: { idTag: ALICE },
    });
  });

  it('an FSHR the owner signs through the actions API grants the file too', async () => {
    const { fileId, content } = await upload(ALICE, 'direct-offer.json');
    const offer = await create(ALICE, {
      type: 'FSHR',
      audienceTag: BOB,
      subject: fileId,
      content: { contentType: 'application/json', fileName: 'direct-offer.json', fileTp: 'BLOB' },
    });
    await arrived(BOB, offer.actionId, 'C');
    expect((await answer(BOB, offer.actionId, 'accept')).status).toBe(200);
    const copy = await call(BOB, 'GET', `/api/files/${fileId}`);
    expect(copy.status).toBe(200);
    expect(JSON.parse(copy.text)).toEqual(content);
    // Withdrawn, the grant is gone at the owner: a fresh copy can no longer be made.
    await create(ALICE, {
      type: 'FSHR',
      subType: 'DEL',
      audienceTag: BOB,
      subject: fileId,
      content: { contentType: 'application/json', fileName: 'direct-offer.json', fileTp: 'BLOB' },
    });
    const again = await a.identity.rpc.request(fileShareGrant, {
      tenant: ALICE,
      fileId,
      user: BOB,
    });
    expect(again).toEqual({ permission: null });
  });

  it('removing the share tells the user with FSHR:DEL', async () => {
    const { fileId } = await upload(ALICE, 'short-lived.json');
    const share = dataOf<{ id: number }>(
      await call(ALICE, 'POST', `/api/files/${fileId}/shares`, {
        subjectType: 'U',
        subjectId: BOB,
        permission: 'R',
      }),
    );
    const fshr = (subType: string | undefined, status: string) =>
      waitFor(async () => {
        const all = dataOf<{ actionId: string; subType?: string; subject?: string }[]>(
          await call(BOB, 'GET', `/api/actions?type=FSHR&status=${status}`),
        );
        return all.find((x) => x.subject === fileId && x.subType === subType);
      });
    const offer = await fshr(undefined, 'C');
    expect((await call(ALICE, 'DELETE', `/api/files/${fileId}/shares/${share.id}`)).status).toBe(
      200,
    );
    await fshr('DEL', 'A');
    // The withdrawal supersedes the offer (same key): nothing is left to accept.
    const waiting = dataOf<{ actionId: string }[]>(
      await call(BOB, 'GET', '/api/actions?type=FSHR&status=C'),
    );
    expect(waiting.map((x) => x.actionId)).not.toContain(offer.actionId);
    expect((await answer(BOB, offer.actionId, 'accept')).status).toBe(404);
  });
});
