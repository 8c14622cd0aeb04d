import { createServer, type Server } from 'node:http';

import { acceptSharedFile } from '@cloudillo/contracts';
import { dataOf, freePort } from '@cloudillo/testing';

import { type BlobStack, startBlobStack } from './blob-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
/** A peer whose node is down. */
const GONE = 'gone.localhost';
/** A peer whose node refuses bob's token exchange (as one that blocked him would). */
const STRICT = 'strict.localhost';

interface View {
  fileId: string;
  owner?: { idTag: string };
  brokenAt?: string;
  brokenReason?: string;
}

describe('refreshing files kept for their owners elsewhere (POST /api/files/{id}/refresh)', () => {
  let stack: BlobStack;
  let strict: Server;

  beforeAll(async () => {
    const strictPort = await freePort();
    strict = createServer((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'E-AUTH-NOPERM', message: 'not you' } }));
    });
    await new Promise<void>((resolve) => strict.listen(strictPort, '127.0.0.1', resolve));
    stack = await startBlobStack({
      tenants: [ALICE, BOB],
      peers: {
        [GONE]: `http://127.0.0.1:${await freePort()}`,
        [STRICT]: `http://127.0.0.1:${strictPort}`,
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    strict?.close();
  });

  const as = (idTag: string, method: string, path: string, body?: unknown) =>
    stack.call(idTag, method, path, {
      token: stack.tokens[idTag],
      ...(body === undefined ? {} : { body }),
    });
  const refresh = async (idTag: string, fileId: string) => {
    const res = await as(idTag, 'POST', `/api/files/${fileId}/refresh`);
    expect(res.status).toBe(200);
    return dataOf<View>(res);
  };
  /** Bob accepts a document of `owner` (an FSHR accepted: a record here, the content there). */
  const keepForBob = (owner: string, fileId: string) =>
    stack.identity.rpc.request(acceptSharedFile, {
      tenant: BOB,
      owner,
      fileId,
      fileTp: 'CRDT',
      contentType: 'cloudillo/quillo',
      fileName: `${owner}'s notes`,
    });
  const listedForBob = async (fileId: string) =>
    dataOf<View[]>(await as(BOB, 'GET', '/api/files?fileTp=CRDT')).find((f) => f.fileId === fileId);

  it('asks the owner’s node: served is whole, deleted there is broken, since the first refresh that saw it', async () => {
    const doc = dataOf<{ fileId: string }>(
      await as(ALICE, 'POST', '/api/files', { fileTp: 'CRDT', fileName: 'Shared notes' }),
    ).fileId;
    const shareWithBob = async () => {
      const share = await as(ALICE, 'POST', `/api/files/${doc}/shares`, {
        subjectType: 'U',
        subjectId: BOB,
        permission: 'R',
      });
      expect(share.status).toBe(201);
      return dataOf<{ id: number }>(share).id;
    };
    const shareId = await shareWithBob();
    await keepForBob(ALICE, doc);

    const whole = await refresh(BOB, doc);
    expect(whole).toMatchObject({ fileId: doc, owner: { idTag: ALICE } });
    expect(whole).not.toHaveProperty('brokenAt');
    expect(whole).not.toHaveProperty('brokenReason');

    // Our nodes answer 404 to whoever may not see a file: a withdrawn share reads as deleted.
    expect((await as(ALICE, 'DELETE', `/api/files/${doc}/shares/${shareId}`)).status).toBe(200);
    expect(await refresh(BOB, doc)).toMatchObject({ brokenReason: 'deleted' });
    await shareWithBob();
    expect(await refresh(BOB, doc)).not.toHaveProperty('brokenReason');

    expect((await as(ALICE, 'DELETE', `/api/files/${doc}?permanent=true`)).status).toBe(200);
    const broken = await refresh(BOB, doc);
    expect(broken).toMatchObject({ brokenReason: 'deleted', brokenAt: expect.any(String) });
    expect(await refresh(BOB, doc)).toMatchObject({ brokenAt: broken.brokenAt });
    expect(await listedForBob(doc)).toMatchObject({
      brokenReason: 'deleted',
      brokenAt: broken.brokenAt,
    });
  });

  it('tells an owner that cannot be reached from one that refuses the tenant', async () => {
    await keepForBob(GONE, 'G0neOwnersDocument000001');
    await keepForBob(STRICT, 'StrictOwnersDocument0001');
    expect(await refresh(BOB, 'G0neOwnersDocument000001')).toMatchObject({
      brokenReason: 'unreachable',
    });
    expect(await refresh(BOB, 'StrictOwnersDocument0001')).toMatchObject({
      brokenReason: 'revoked',
    });
  });

  it('leaves the tenant’s own files as they are, and knows no file it does not keep', async () => {
    const own = dataOf<{ fileId: string }>(
      await as(ALICE, 'POST', '/api/files', { fileTp: 'CRDT', fileName: 'Mine' }),
    ).fileId;
    const view = await refresh(ALICE, own);
    expect(view).toMatchObject({ fileId: own });
    expect(view).not.toHaveProperty('brokenReason');
    // Another tenant's id is nothing here.
    expect((await as(BOB, 'POST', `/api/files/${own}/refresh`)).status).toBe(404);
  });
});
