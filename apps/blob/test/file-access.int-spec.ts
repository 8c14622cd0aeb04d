import {
  acceptSharedFile,
  issueProxyToken,
  prepareAttachments,
  updateRelationship,
} from '@cloudillo/contracts';
import { dataOf, errorCodeOf } from '@cloudillo/testing';

import { type BlobStack, startBlobStack } from './blob-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';

describe('file access for others: visibility, shares, folders, scoped tokens (protocol §5.2)', () => {
  let stack: BlobStack;
  let bobAtAlice: string;
  let fileId: string;

  beforeAll(async () => {
    stack = await startBlobStack({ tenants: [ALICE, BOB, CAROL] });
    // Bob as a visitor at alice's: a proxy token (protocol §4.4), valid there, with sub = bob.
    ({ token: bobAtAlice } = await stack.identity.rpc.request(issueProxyToken, {
      tenant: BOB,
      peer: ALICE,
    }));
    const upload = await stack.call(ALICE, 'POST', '/api/files', {
      token: stack.tokens[ALICE],
      body: { fileTp: 'CRDT', fileName: 'Notes' },
    });
    fileId = dataOf<{ fileId: string }>(upload).fileId;
  });

  afterAll(() => stack?.close());

  const owner = (method: string, path: string, body?: unknown) =>
    stack.call(ALICE, method, path, {
      token: stack.tokens[ALICE],
      ...(body === undefined ? {} : { body }),
    });
  /** As bob (his proxy token), another token, or nobody (`null`). */
  const visitor = (path: string, token: string | null = bobAtAlice, method = 'GET') =>
    stack.call(ALICE, method, path, token ? { token } : {});
  const bobReads = async () => (await visitor(`/api/files/${fileId}/metadata`)).status;
  const anonymousReads = async () => (await visitor(`/api/files/${fileId}/metadata`, null)).status;

  it('a visitor reads nothing of a private file, lists nothing and manages nothing', async () => {
    expect(await bobReads()).toBe(404);
    expect(await anonymousReads()).toBe(404);
    expect((await visitor('/api/files')).status).toBe(403);
    expect((await visitor(`/api/files/${fileId}/shares`)).status).toBe(404);
    expect((await visitor(`/api/files/${fileId}`, bobAtAlice, 'DELETE')).status).toBe(403);
  });

  it('visibility opens a file to the public, to users, to followers', async () => {
    const visible = async (visibility: string | null) =>
      expect((await owner('PATCH', `/api/files/${fileId}`, { visibility })).status).toBe(200);
    await visible('P');
    expect([await bobReads(), await anonymousReads()]).toEqual([200, 200]);
    await visible('V');
    expect([await bobReads(), await anonymousReads()]).toEqual([200, 404]);
    await visible('F');
    expect(await bobReads()).toBe(404);
    await stack.identity.rpc.request(updateRelationship, {
      tenant: ALICE,
      peer: BOB,
      set: { follower: true },
    });
    expect(await bobReads()).toBe(200);
    await visible('C');
    expect(await bobReads()).toBe(404);
    await visible(null);
    expect(await bobReads()).toBe(404);
  });

  it('a share gives a user its level on the file and everything in a shared folder; only A manages shares', async () => {
    const share = await owner('POST', `/api/files/${fileId}/shares`, {
      subjectType: 'U',
      subjectId: BOB,
      permission: 'R',
    });
    expect([share.status, share.text]).toEqual([201, share.text]);
    const entry = dataOf<{ id: number }>(share);
    expect(dataOf(share)).toMatchObject({
      resourceId: fileId,
      subjectId: BOB,
      permission: 'R',
      createdBy: ALICE,
    });
    expect(await bobReads()).toBe(200);
    expect((await visitor(`/api/files/${fileId}/shares`)).status).toBe(404); // R cannot manage
    const twice = await owner('POST', `/api/files/${fileId}/shares`, {
      subjectType: 'U',
      subjectId: BOB,
      permission: 'W',
    });
    expect([twice.status, errorCodeOf(twice)]).toEqual([409, 'E-CORE-CONFLICT']);
    expect(dataOf<unknown[]>(await owner('GET', `/api/shares?subjectId=${BOB}`))).toHaveLength(1);
    expect((await owner('DELETE', `/api/files/${fileId}/shares/${entry.id}`)).status).toBe(200);
    expect(await bobReads()).toBe(404);

    const folder = dataOf<{ fileId: string }>(
      await owner('POST', '/api/files', { fileTp: 'FLDR', fileName: 'Shared' }),
    ).fileId;
    const inside = dataOf<{ fileId: string }>(
      await owner('POST', '/api/files', { fileTp: 'RTDB', fileName: 'Inside', parentId: folder }),
    ).fileId;
    await owner('POST', `/api/files/${folder}/shares`, {
      subjectType: 'U',
      subjectId: BOB,
      permission: 'W',
    });
    expect((await visitor(`/api/files/${inside}/metadata`)).status).toBe(200);
    expect(await bobReads()).toBe(404); // outside the folder
    const bad = await owner('POST', `/api/files/${fileId}/shares`, {
      subjectType: 'U',
      subjectId: 'not an id tag',
      permission: 'R',
    });
    expect([bad.status, errorCodeOf(bad)]).toEqual([400, 'E-VAL-INVALID']);
  });

  it('attaching files to an action opens the tenant’s own to its visibility, never narrows, never touches another tenant’s', async () => {
    const upload = async (idTag: string, name: string, query = '') =>
      dataOf<{ fileId: string }>(
        await stack.call(idTag, 'POST', `/api/files/file/${name}${query}`, {
          token: stack.tokens[idTag],
          body: { name },
        }),
      ).fileId;
    const privateFile = await upload(ALICE, 'private.json');
    const publicFile = await upload(ALICE, 'public.json', '?visibility=P');
    const bobsFile = await upload(BOB, 'bobs.json');
    const { files } = await stack.identity.rpc.request(prepareAttachments, {
      tenant: ALICE,
      fileIds: [privateFile, publicFile, bobsFile],
      visibility: 'F',
    });
    expect(files).toEqual([
      { given: privateFile, fileId: privateFile },
      { given: publicFile, fileId: publicFile },
      { given: bobsFile, fileId: bobsFile },
    ]);
    const visibilityOf = async (idTag: string, id: string) =>
      dataOf<{ visibility?: string }>(
        await stack.call(idTag, 'GET', `/api/files/${id}/metadata`, { token: stack.tokens[idTag] }),
      ).visibility;
    expect(await visibilityOf(ALICE, privateFile)).toBe('F');
    expect(await visibilityOf(ALICE, publicFile)).toBe('P');
    expect(await visibilityOf(BOB, bobsFile)).toBeUndefined();
    // A temporary id is the tenant's own upload or nothing.
    await expect(
      stack.identity.rpc.request(prepareAttachments, { tenant: ALICE, fileIds: ['@999999999'] }),
    ).rejects.toMatchObject({ code: 'E-CORE-NOTFOUND' });
  });

  it('a role the tenant gives a visitor reaches the tenant’s own files, not those it keeps for others', async () => {
    await stack.identity.rpc.request(updateRelationship, {
      tenant: ALICE,
      peer: CAROL,
      set: { roles: ['supporter'] },
    });
    const { token: carolAtAlice } = await stack.identity.rpc.request(issueProxyToken, {
      tenant: CAROL,
      peer: ALICE,
    });
    const membersOnly = dataOf<{ fileId: string }>(
      await owner('POST', '/api/files', { fileTp: 'CRDT', fileName: 'Members only' }),
    ).fileId;
    const read = async (id: string, token: string) =>
      (await visitor(`/api/files/${id}/metadata`, token)).status;
    expect(await read(membersOnly, carolAtAlice)).toBe(200);
    // Bob holds no role at Alice's: the same private file is not there for him.
    expect(await read(membersOnly, bobAtAlice)).toBe(404);
    // A document Bob shared with Alice is his, not hers to hand on by role.
    const bobsDoc = 'B0bsSharedDocument000001';
    await stack.identity.rpc.request(acceptSharedFile, {
      tenant: ALICE,
      owner: BOB,
      fileId: bobsDoc,
      fileTp: 'CRDT',
      contentType: 'cloudillo/quillo',
      fileName: 'Bob’s notes',
    });
    expect(await read(bobsDoc, stack.tokens[ALICE] ?? '')).toBe(200);
    expect(await read(bobsDoc, carolAtAlice)).toBe(404);
  });

  it('a file kept for another identity at followers’ visibility is its owner’s to read, not the tenant’s followers’', async () => {
    // (Issue 20: visibility is judged against the file's owner, as against an action's issuer.)
    const { token: carolAtAlice } = await stack.identity.rpc.request(issueProxyToken, {
      tenant: CAROL,
      peer: ALICE,
    });
    await stack.identity.rpc.request(updateRelationship, {
      tenant: ALICE,
      peer: CAROL,
      set: { follower: true },
    });
    const bobsPhoto = 'B0bsFollowersOnlyPhoto01';
    await stack.identity.rpc.request(acceptSharedFile, {
      tenant: ALICE,
      owner: BOB,
      fileId: bobsPhoto,
      fileTp: 'CRDT',
      contentType: 'cloudillo/quillo',
      fileName: 'For Bob’s followers',
    });
    expect((await owner('PATCH', `/api/files/${bobsPhoto}`, { visibility: 'F' })).status).toBe(200);
    const read = async (token: string) =>
      (await visitor(`/api/files/${bobsPhoto}/metadata`, token)).status;
    // Carol follows Alice, not (as far as Alice's node can tell) Bob.
    expect(await read(carolAtAlice)).toBe(404);
    expect(await read(bobAtAlice)).toBe(200);
  });

  it('a scoped token reaches its file only, and never more than its user has', async () => {
    const scoped = async (token: string, scope: string) =>
      dataOf<{ token: string }>(
        await stack.call(
          ALICE,
          'GET',
          `/api/auth/access-token?scope=${encodeURIComponent(scope)}`,
          { token },
        ),
      ).token;
    const other = dataOf<{ fileId: string }>(
      await owner('POST', '/api/files', { fileTp: 'CRDT', fileName: 'Other' }),
    ).fileId;
    const ownersScoped = await scoped(stack.tokens[ALICE] as string, `file:${fileId}:R`);
    expect((await visitor(`/api/files/${fileId}/metadata`, ownersScoped)).status).toBe(200);
    expect((await visitor(`/api/files/${other}/metadata`, ownersScoped)).status).toBe(404);
    expect((await visitor('/api/files', ownersScoped)).status).toBe(403);
    expect((await visitor(`/api/files/${other}`, ownersScoped, 'DELETE')).status).toBe(403);
    // Bob asks alice's node for a scope on a file he has no access to: the token is issued, and
    // reaches nothing.
    const bobsScoped = await scoped(bobAtAlice, `file:${fileId}:W`);
    expect((await visitor(`/api/files/${fileId}/metadata`, bobsScoped)).status).toBe(404);
  });
});
