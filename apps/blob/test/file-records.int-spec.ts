import { dataOf, errorCodeOf } from '@cloudillo/testing';

import { type BlobStack, startBlobStack } from './blob-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

describe('documents, folders, trash, tags and user marks (protocol §5.1, §5.2)', () => {
  let stack: BlobStack;

  beforeAll(async () => {
    stack = await startBlobStack({ tenants: [ALICE, BOB] });
  });

  afterAll(() => stack?.close());

  const as = (idTag: string, method: string, path: string, body?: unknown) =>
    stack.call(idTag, method, path, {
      token: stack.tokens[idTag],
      ...(body === undefined ? {} : { body }),
    });
  const list = async (idTag: string, query = '') =>
    dataOf<{ fileId: string; fileName: string; parentId?: string; tags?: string[] }[]>(
      await as(idTag, 'GET', `/api/files${query}`),
    );
  const create = async (idTag: string, body: Record<string, unknown>) => {
    const res = await as(idTag, 'POST', '/api/files', body);
    expect(res.status).toBe(201);
    return dataOf<{ fileId: string }>(res).fileId;
  };

  it('creates documents and folders with random 24-character ids, and moves and renames them', async () => {
    const folder = await create(ALICE, { fileTp: 'FLDR', fileName: 'Projects' });
    const doc = await create(ALICE, { fileTp: 'CRDT', fileName: 'Plan', parentId: folder });
    expect(doc).toMatch(/^[A-Za-z0-9]{24}$/);
    expect((await list(ALICE, `?parentId=${folder}`)).map((f) => f.fileId)).toEqual([doc]);
    const meta = dataOf<Record<string, unknown>>(
      await as(ALICE, 'GET', `/api/files/${doc}/metadata`),
    );
    expect(meta).toMatchObject({ fileTp: 'CRDT', contentType: 'cloudillo/crdt', parentId: folder });

    const renamed = await as(ALICE, 'PATCH', `/api/files/${doc}`, {
      fileName: 'Plan B',
      parentId: null,
    });
    expect(dataOf(renamed)).toEqual({ fileId: doc, fileName: 'Plan B' });
    expect(await list(ALICE, `?parentId=${folder}`)).toEqual([]);

    const inner = await create(ALICE, { fileTp: 'FLDR', fileName: 'Inner', parentId: folder });
    const cycle = await as(ALICE, 'PATCH', `/api/files/${folder}`, { parentId: inner });
    expect([cycle.status, errorCodeOf(cycle)]).toEqual([400, 'E-VAL-INVALID']);
    const notFolder = await as(ALICE, 'POST', '/api/files', { fileTp: 'RTDB', parentId: doc });
    expect([notFolder.status, errorCodeOf(notFolder)]).toEqual([409, 'E-CORE-CONFLICT']);
    for (const body of [
      { fileTp: 'BLOB' },
      { fileTp: 'CRDT', fileName: 'a/b' },
      { fileTp: 'CRDT', extra: 1 },
    ]) {
      const bad = await as(ALICE, 'POST', '/api/files', body);
      expect([JSON.stringify(body), bad.status]).toEqual([JSON.stringify(body), 400]);
    }
  });

  it('moves files to the trash, restores them and empties the trash', async () => {
    const doc = await create(ALICE, { fileTp: 'RTDB', fileName: 'Scratch' });
    const trashed = await as(ALICE, 'DELETE', `/api/files/${doc}`);
    expect(dataOf(trashed)).toEqual({ fileId: doc, permanent: false });
    expect((await list(ALICE)).map((f) => f.fileId)).not.toContain(doc);
    expect((await list(ALICE, '?trashed=true')).map((f) => f.fileId)).toEqual([doc]);
    const restored = await as(ALICE, 'POST', `/api/files/${doc}/restore`);
    expect([restored.status, dataOf(restored)]).toEqual([200, { fileId: doc }]);
    expect((await list(ALICE)).map((f) => f.fileId)).toContain(doc);
    await as(ALICE, 'DELETE', `/api/files/${doc}`);
    const emptied = await as(ALICE, 'DELETE', '/api/trash');
    expect(dataOf(emptied)).toEqual({ deleted_count: 1 });
    expect(await list(ALICE, '?trashed=true')).toEqual([]);
    expect((await as(ALICE, 'POST', `/api/files/${doc}/restore`)).status).toBe(404);
  });

  it('tags files, counts tags, and keeps each user’s marks', async () => {
    const doc = await create(ALICE, { fileTp: 'CRDT', fileName: 'Tagged', tags: ['work'] });
    expect(dataOf(await as(ALICE, 'PUT', `/api/files/${doc}/tag/urgent`))).toEqual({
      tags: ['work', 'urgent'],
    });
    expect(dataOf(await as(ALICE, 'PUT', `/api/files/${doc}/tag/urgent`))).toEqual({
      tags: ['work', 'urgent'],
    });
    expect((await list(ALICE, '?tag=urgent')).map((f) => f.fileId)).toEqual([doc]);
    expect(dataOf(await as(ALICE, 'DELETE', `/api/files/${doc}/tag/work`))).toEqual({
      tags: ['urgent'],
    });
    expect(dataOf(await as(ALICE, 'GET', '/api/tags'))).toEqual({
      tags: [{ tag: 'urgent', count: 1 }],
    });
    expect((await as(ALICE, 'PUT', `/api/files/${doc}/tag/Not%20A%20Tag`)).status).toBe(400);
    const marks = await as(ALICE, 'PATCH', `/api/files/${doc}/user`, { starred: true });
    expect(dataOf(marks)).toEqual({ fileId: doc, pinned: false, starred: true });
  });

  it('keeps tenants apart on every route', async () => {
    const doc = await create(ALICE, { fileTp: 'CRDT', fileName: 'Alice only' });
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/files/${doc}/metadata`],
      ['PATCH', `/api/files/${doc}`, { fileName: 'mine now' }],
      ['DELETE', `/api/files/${doc}`],
      ['POST', `/api/files/${doc}/restore`],
      ['PUT', `/api/files/${doc}/tag/stolen`],
      ['PATCH', `/api/files/${doc}/user`, { pinned: true }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await as(BOB, method, path, body);
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    expect((await list(BOB)).map((f) => f.fileId)).not.toContain(doc);
    expect(dataOf(await as(BOB, 'GET', '/api/tags'))).toEqual({ tags: [] });
    expect(await as(BOB, 'DELETE', '/api/trash').then(dataOf)).toEqual({ deleted_count: 0 });
    const meta = dataOf<{ fileName: string }>(await as(ALICE, 'GET', `/api/files/${doc}/metadata`));
    expect(meta.fileName).toBe('Alice only');
  });
  it('an upload takes its folder, tags and visibility from the query', async () => {
    const folder = await create(ALICE, { fileTp: 'FLDR', fileName: 'Uploads' });
    const res = await as(
      ALICE,
      'POST',
      `/api/files/file/data.json?parentId=${folder}&tags=raw,json&visibility=P`,
      {
        answer: 42,
      },
    );
    expect(res.status).toBe(201);
    const { fileId } = dataOf<{ fileId: string }>(res);
    const meta = dataOf<Record<string, unknown>>(
      await as(ALICE, 'GET', `/api/files/${fileId}/metadata`),
    );
    expect(meta).toMatchObject({
      parentId: folder,
      tags: ['raw', 'json'],
      visibility: 'P',
      contentType: 'application/json',
    });
    const anonymous = await stack.call(ALICE, 'GET', `/api/files/${fileId}`);
    expect([anonymous.status, anonymous.json]).toEqual([200, { answer: 42 }]);
    const nowhere = await as(
      ALICE,
      'POST',
      '/api/files/file/x.json?parentId=AAAAAAAAAAAAAAAAAAAAAAAA',
      {},
    );
    expect(nowhere.status).toBe(404);
    const badTags = await as(ALICE, 'POST', '/api/files/file/x.json?tags=Bad%20Tag', {});
    expect([badTags.status, errorCodeOf(badTags)]).toEqual([400, 'E-VAL-INVALID']);
  });
});
