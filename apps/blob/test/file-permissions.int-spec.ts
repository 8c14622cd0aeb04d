import { acceptSharedFile, issueProxyToken, updateRelationship } from '@cloudillo/contracts';
import { dataOf } from '@cloudillo/testing';

import { type BlobStack, startBlobStack } from './blob-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';

/**
 * Per-file permissions (issue 21), through the gateway: a contributor renames what it may write
 * but cannot change who sees a file or touch one Alice keeps for someone else; marks need read;
 * tags need contributor. On the code before (128c2f8) every one of these was let through.
 */
describe('per-file permissions: write to change, admin to expose, read to mark', () => {
  let stack: BlobStack;
  let carol: string;
  let bob: string;
  let aliceFile: string;
  const bobsDoc = 'B0bsDocKeptAtAlice000001';

  beforeAll(async () => {
    stack = await startBlobStack({ tenants: [ALICE, BOB, CAROL] });
    await stack.identity.rpc.request(updateRelationship, {
      tenant: ALICE,
      peer: CAROL,
      set: { roles: ['contributor'] },
    });
    const at = async (idTag: string) =>
      (await stack.identity.rpc.request(issueProxyToken, { tenant: idTag, peer: ALICE })).token;
    [carol, bob] = [await at(CAROL), await at(BOB)];
    aliceFile = dataOf<{ fileId: string }>(
      await stack.call(ALICE, 'POST', '/api/files', {
        token: stack.tokens[ALICE],
        body: { fileTp: 'CRDT', fileName: 'Plans' },
      }),
    ).fileId;
    await stack.identity.rpc.request(acceptSharedFile, {
      tenant: ALICE,
      owner: BOB,
      fileId: bobsDoc,
      fileTp: 'CRDT',
      contentType: 'cloudillo/quillo',
      fileName: 'Bob’s notes',
    });
  });

  afterAll(() => stack?.close());

  const as = (token: string, method: string, path: string, body?: unknown) =>
    stack.call(ALICE, method, path, { token, ...(body === undefined ? {} : { body }) });

  it('a contributor renames a file it may write, but may not change its visibility', async () => {
    expect((await as(carol, 'PATCH', `/api/files/${aliceFile}`, { fileName: 'New' })).status).toBe(
      200,
    );
    const exposed = await as(carol, 'PATCH', `/api/files/${aliceFile}`, { visibility: 'P' });
    expect(exposed.status).toBe(403);
    const owner = stack.tokens[ALICE] ?? '';
    expect((await as(owner, 'PATCH', `/api/files/${aliceFile}`, { visibility: 'P' })).status).toBe(
      200,
    );
  });

  it('a contributor changes nothing of a file Alice keeps for Bob: name, tags, trash', async () => {
    await stack.identity.rpc.request(updateRelationship, {
      tenant: ALICE,
      peer: CAROL,
      set: { roles: ['contributor'] },
    });
    // Shared with Carol for writing, it is still Bob's: not Alice's contributors' to change.
    const owner = stack.tokens[ALICE] ?? '';
    await as(owner, 'POST', `/api/files/${bobsDoc}/shares`, {
      subjectType: 'U',
      subjectId: CAROL,
      permission: 'W',
    });
    expect((await as(carol, 'PATCH', `/api/files/${bobsDoc}`, { fileName: 'Mine' })).status).toBe(
      403,
    );
    expect((await as(carol, 'PUT', `/api/files/${bobsDoc}/tag/taken`)).status).toBe(403);
    expect((await as(carol, 'DELETE', `/api/files/${bobsDoc}`)).status).toBe(403);
    expect(
      (await as(owner, 'PATCH', `/api/files/${bobsDoc}`, { fileName: 'Renamed' })).status,
    ).toBe(200);
  });

  it('the trash: a contributor neither restores nor deletes for good a file Alice keeps for Bob', async () => {
    const owner = stack.tokens[ALICE] ?? '';
    const kept = 'B0bsOtherDocAtAlice00001';
    await stack.identity.rpc.request(acceptSharedFile, {
      tenant: ALICE,
      owner: BOB,
      fileId: kept,
      fileTp: 'CRDT',
      contentType: 'cloudillo/quillo',
      fileName: 'Bob’s other notes',
    });
    expect((await as(owner, 'DELETE', `/api/files/${kept}`)).status).toBe(200); // into the trash
    // Not hers to read (no share): not even there, as far as she can tell.
    expect((await as(carol, 'POST', `/api/files/${kept}/restore`)).status).toBe(404);
    expect((await as(carol, 'DELETE', '/api/trash')).status).toBe(200);
    // Still there for Alice to restore.
    expect((await as(owner, 'POST', `/api/files/${kept}/restore`)).status).toBe(200);
    expect((await as(owner, 'GET', `/api/files/${kept}/metadata`)).status).toBe(200);
  });

  it('marks need read on the file: an unreadable one answers like a missing one', async () => {
    const missing = await as(bob, 'PATCH', '/api/files/NoSuchFileAnywhere000001/user', {
      starred: true,
    });
    const hidden = dataOf<{ fileId: string }>(
      await stack.call(ALICE, 'POST', '/api/files', {
        token: stack.tokens[ALICE],
        body: { fileTp: 'CRDT', fileName: 'Private' },
      }),
    ).fileId;
    const existing = await as(bob, 'PATCH', `/api/files/${hidden}/user`, { starred: true });
    const answer = (res: typeof missing) => [res.status, (res.json as { error: unknown }).error];
    expect(existing.status).toBe(404);
    expect(answer(existing)).toEqual(answer(missing));
  });

  it('tags are for contributors', async () => {
    expect((await as(bob, 'GET', '/api/tags')).status).toBe(403);
    expect((await as(carol, 'GET', '/api/tags')).status).toBe(200);
  });
});
