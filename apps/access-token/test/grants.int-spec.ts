import { createTenant, setTenantPassword, signWithTenantKey } from '@cloudillo/contracts';
import { TenantResolver } from '@cloudillo/tenancy';
import { type HttpResult } from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { KnownProfilesRepository } from '../../identity/src/profiles/known-profiles.repository';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TenantsRepository } from '../../identity/src/tenants/tenants.repository';
import { RefsService } from '../src/refs/refs.service';
import { type PlatformNode, startNodePair } from './platform-node';

const A = 'alice.localhost';
const B = 'bob.localhost';
const C = 'carol.localhost';
let bobPassword = 'bob-password';

/**
 * Tokens die with their grant, and owner-only powers stay the owner's (issue 21), through the
 * gateways of two whole nodes: Bob's node B (Bob is its base tenant, server admin), and Alice
 * visiting from node A. Every case was let through on the code before (128c2f8).
 */
describe('grants: a refresh re-derives the token from the live grant; owner-only powers', () => {
  let nodeA: PlatformNode;
  let nodeB: PlatformNode;
  let bobTnId: number;

  beforeAll(async () => {
    [nodeA, nodeB] = await startNodePair(
      { idTag: A, password: 'alice-password' },
      { idTag: B, password: bobPassword },
    );
    bobTnId = (await nodeB.identity.app.get(TenantsRepository).findByIdTag(B))!.tnId;
  });

  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
  });

  const giveAlice = (roles: string[]) =>
    nodeB.identity.app
      .get(KnownProfilesRepository)
      .remember(bobTnId, { idTag: A, name: 'Alice', type: 'person', roles });
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
  const tokenOf = (res: HttpResult) => (res.json as { data: { token: string } }).data.token;
  const dataOf = <T>(res: HttpResult) => (res.json as { data: T }).data;
  const refresh = (token: string, query = '') =>
    nodeB.call(B, 'GET', `/api/auth/access-token${query}`, token);
  /** Alice's token at B, with the roles B gives her. */
  const aliceAtB = async (roles: string[]) => {
    await giveAlice(roles);
    const now = Math.floor(Date.now() / 1000);
    const { token: proxy } = await nodeA.identity.rpc.request(signWithTenantKey, {
      idTag: A,
      claims: { t: 'PROXY', aud: B, iat: now, exp: now + 60 },
    });
    return tokenOf(await nodeB.call(B, 'GET', `/api/auth/access-token?token=${proxy}`));
  };

  it('a session’s refresh carries the tenant’s current roles: a removed SADM is gone', async () => {
    // Carol, a second server admin on Bob's node, made one and unmade by Bob.
    await nodeB.identity.rpc.request(createTenant, { idTag: C, name: 'Carol' });
    await nodeB.identity.rpc.request(setTenantPassword, { idTag: C, password: 'carol-password' });
    const bob = await nodeB.login(B, bobPassword);
    const admin = (roles: string[]) =>
      nodeB.call(B, 'PATCH', `/api/admin/profiles/${C}`, bob, { roles });
    expect((await admin(['SADM'])).status).toBe(200);
    const carol = await nodeB.login(C, 'carol-password');
    expect(String(claimsOf(carol)['r'])).toContain('SADM');
    expect((await admin([])).status).toBe(200);
    const refreshed = await nodeB.call(C, 'GET', '/api/auth/access-token', carol);
    expect(refreshed.status).toBe(200);
    expect(String(claimsOf(tokenOf(refreshed))['r'])).not.toContain('SADM');
  });

  it('a visitor’s token is not renewed in place; narrowed, it carries the visitor’s current roles', async () => {
    const leader = await aliceAtB(['leader']);
    expect(claimsOf(leader)).toMatchObject({ sub: A, r: 'leader' });
    expect((await refresh(leader)).status).toBe(401);
    // Her role taken away since: a narrowing keeps none.
    await giveAlice([]);
    const narrowed = await refresh(leader, '?scope=file:f1~doc:R');
    expect(narrowed.status).toBe(200);
    expect(claimsOf(tokenOf(narrowed))['r']).toBeUndefined();
    expect(Number(claimsOf(tokenOf(narrowed))['exp'])).toBeLessThanOrEqual(
      Number(claimsOf(leader)['exp']),
    );
  });

  it('a share link’s token dies with its link: no renewal in place, none once the link is deleted', async () => {
    const bob = await nodeB.login(B, bobPassword);
    const link = dataOf<{ refId: string }>(
      await nodeB.call(B, 'POST', '/api/refs', bob, {
        type: 'share.file',
        resourceId: 'f1~shared',
        accessLevel: 'read',
        count: 1,
      }),
    );
    const shared = tokenOf(
      await nodeB.call(B, 'GET', `/api/auth/access-token?refId=${link.refId}`),
    );
    expect((await refresh(shared)).status).toBe(401);
    // Renewed through the link with the token it gave (no use taken; none is left)...
    const renewed = await refresh(shared, `?refId=${link.refId}&refresh=true`);
    expect(renewed.status).toBe(200);
    // ...but without it, a refresh is an exchange, and the link is used up.
    const stranger = await nodeB.call(
      B,
      'GET',
      `/api/auth/access-token?refId=${link.refId}&refresh=true`,
    );
    expect(stranger.status).toBe(410);
    await nodeB.call(B, 'DELETE', `/api/refs/${link.refId}`, bob);
    expect((await refresh(shared, `?refId=${link.refId}&refresh=true`)).status).toBe(404);
  });

  it('API keys: the owner makes them, in Unix seconds, and their tokens end with them', async () => {
    const leader = await aliceAtB(['leader']);
    expect(
      (await nodeB.call(B, 'POST', '/api/auth/api-keys', leader, { name: 'mine' })).status,
    ).toBe(403);
    const bob = await nodeB.login(B, bobPassword);
    const expiresAt = Math.floor(Date.now() / 1000) + 30;
    const created = await nodeB.call(B, 'POST', '/api/auth/api-keys', bob, { expiresAt });
    expect(created.status).toBe(201);
    const key = dataOf<{ plaintextKey: string; expiresAt: number }>(created);
    expect(key.expiresAt).toBe(expiresAt);
    const minted = tokenOf(
      await nodeB.call(B, 'GET', `/api/auth/access-token?apiKey=${key.plaintextKey}`),
    );
    expect(Number(claimsOf(minted)['exp'])).toBeLessThanOrEqual(expiresAt);
    // A password change takes the tenant's keys away, one never used included.
    const unused = dataOf<{ plaintextKey: string }>(
      await nodeB.call(B, 'POST', '/api/auth/api-keys', bob, { name: 'never used' }),
    );
    const changed = await nodeB.call(B, 'POST', '/api/auth/password', bob, {
      currentPassword: bobPassword,
      newPassword: 'bob-new-password',
    });
    expect(changed.status).toBe(200);
    bobPassword = 'bob-new-password';
    for (const plaintext of [key.plaintextKey, unused.plaintextKey]) {
      const exchanged = await nodeB.call(B, 'GET', `/api/auth/access-token?apiKey=${plaintext}`);
      expect(exchanged.status).toBe(401);
    }
    expect(dataOf<unknown[]>(await nodeB.call(B, 'GET', '/api/auth/api-keys', bob))).toEqual([]);
    expect((await refresh(minted)).status).toBe(401);
  });

  it('system refs (welcome, password) are listed to the owner only', async () => {
    const bobAtB = await nodeB.auth.app.get(TenantResolver).require(B);
    await nodeB.auth.app.get(RefsService).issue(bobAtB, B, { type: 'password', count: 1 });
    const leader = await aliceAtB(['leader']);
    const types = async (token: string) =>
      dataOf<{ type: string }[]>(await nodeB.call(B, 'GET', '/api/refs', token)).map((r) => r.type);
    expect(await types(leader)).not.toContain('password');
    expect(
      dataOf<unknown[]>(await nodeB.call(B, 'GET', '/api/refs?type=password', leader)),
    ).toEqual([]);
    expect(await types(await nodeB.login(B, bobPassword))).toContain('password');
  });
});
