import { issueProxyToken } from '@cloudillo/contracts';
import { dataOf, errorCodeOf } from '@cloudillo/testing';

import { type BlobStack, startBlobStack } from './blob-stack';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';

describe('via= tokens: a file reached through a container that links to it (protocol §4.3, access-token + blob)', () => {
  let stack: BlobStack;
  const visitors: Record<string, string> = {};
  let container: string;
  let linked: string;
  let unlinked: string;

  beforeAll(async () => {
    stack = await startBlobStack({ tenants: [ALICE, BOB, CAROL] });
    for (const idTag of [BOB, CAROL])
      ({ token: visitors[idTag] as string } = await stack.identity.rpc.request(issueProxyToken, {
        tenant: idTag,
        peer: ALICE,
      }));
    const ids = await Promise.all(
      ['Board', 'Embedded sheet', 'Private notes'].map(async (fileName) => {
        const created = await owner('POST', '/api/files', { fileTp: 'CRDT', fileName });
        return dataOf<{ fileId: string }>(created).fileId;
      }),
    );
    [container, linked, unlinked] = ids as [string, string, string];
    // Bob may read the board; the board links to the sheet (commenting), not to the notes.
    expect(
      (await owner('POST', `/api/files/${container}/shares`, share('U', BOB, 'R'))).status,
    ).toBe(201);
    expect(
      (await owner('POST', `/api/files/${linked}/shares`, share('F', container, 'C'))).status,
    ).toBe(201);
  });

  afterAll(() => stack?.close());

  const share = (subjectType: string, subjectId: string, permission: string) => ({
    subjectType,
    subjectId,
    permission,
  });
  function owner(method: string, path: string, body?: unknown) {
    return stack.call(ALICE, method, path, {
      token: stack.tokens[ALICE],
      ...(body === undefined ? {} : { body }),
    });
  }
  const as = (token: string, path: string) => stack.call(ALICE, 'GET', path, { token });
  const viaToken = (token: string, via: string, target: string, level: string) =>
    as(token, `/api/auth/access-token?via=${via}&scope=file:${target}:${level}`);
  const reads = async (token: string, fileId: string) =>
    (await as(token, `/api/files/${fileId}/metadata`)).status;

  it('a reader of the container gets the linked file at min(requested, link), and only that file', async () => {
    const bob = visitors[BOB] as string;
    expect(await reads(bob, linked)).toBe(404); // not shared with him directly
    const res = await viaToken(bob, container, linked, 'W');
    expect(res.status).toBe(200);
    const granted = dataOf<{
      token: string;
      scope: string;
      resourceId: string;
      accessLevel: string;
    }>(res);
    expect(granted).toMatchObject({
      scope: `file:${linked}:C`,
      resourceId: linked,
      accessLevel: 'comment',
    });
    expect(await reads(granted.token, linked)).toBe(200);
    expect(await reads(granted.token, unlinked)).toBe(404);
    expect(await reads(granted.token, container)).toBe(404);
    const asked = dataOf<{ scope: string }>(await viaToken(bob, container, linked, 'R'));
    expect(asked.scope).toBe(`file:${linked}:R`);
  });

  it('a share link to the container reaches the linked file too — anonymously, and only through that container', async () => {
    const ref = dataOf<{ refId: string }>(
      await owner('POST', '/api/refs', {
        type: 'share.file',
        resourceId: container,
        accessLevel: 'read',
      }),
    );
    const { token: guest } = dataOf<{ token: string }>(
      await stack.call(ALICE, 'GET', `/api/auth/access-token?refId=${ref.refId}`),
    );
    const res = await viaToken(guest, container, linked, 'W');
    expect(res.status).toBe(200);
    const { token } = dataOf<{ token: string }>(res);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      sub?: string;
      via?: string;
    };
    expect(claims).toMatchObject({ via: container });
    expect(claims.sub).toBeUndefined();
    expect(await reads(token, linked)).toBe(200);
    // The link's scope names the board: it opens no way through another file.
    const elsewhere = await viaToken(guest, unlinked, linked, 'R');
    expect([elsewhere.status, errorCodeOf(elsewhere)]).toEqual([403, 'E-AUTH-NOPERM']);
  });

  it('refuses a caller who cannot read the container (404) and a file the container does not link to (403)', async () => {
    const carol = await viaToken(visitors[CAROL] as string, container, linked, 'R');
    expect([carol.status, errorCodeOf(carol)]).toEqual([404, 'E-CORE-NOTFOUND']);
    const notLinked = await viaToken(visitors[BOB] as string, container, unlinked, 'R');
    expect([notLinked.status, errorCodeOf(notLinked)]).toEqual([403, 'E-AUTH-NOPERM']);
  });

  it('removing the link ends what tokens granted through it reach, refreshed ones included', async () => {
    const { token } = dataOf<{ token: string }>(
      await viaToken(visitors[BOB] as string, container, linked, 'R'),
    );
    expect(await reads(token, linked)).toBe(200);
    // A refresh keeps the container binding (issue 21: it used to drop `via`, and with it the
    // link's check, for a token the link no longer bounded).
    const refreshed = dataOf<{ token: string }>(await as(token, '/api/auth/access-token')).token;
    const claims = JSON.parse(Buffer.from(refreshed.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ via: container, scope: `file:${linked}:R` });
    const shares = dataOf<{ id: number; subjectType: string }[]>(
      await owner('GET', `/api/files/${linked}/shares`),
    );
    const link = shares.find((s) => s.subjectType === 'F');
    expect((await owner('DELETE', `/api/files/${linked}/shares/${link?.id}`)).status).toBe(200);
    expect(await reads(token, linked)).toBe(404);
    expect(await reads(refreshed, linked)).toBe(404);
  });
});
