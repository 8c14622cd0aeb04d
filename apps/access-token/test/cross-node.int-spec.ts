import { signWithTenantKey } from '@cloudillo/contracts';
import { httpRequest } from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { KnownProfilesRepository } from '../../identity/src/profiles/known-profiles.repository';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TenantsRepository } from '../../identity/src/tenants/tenants.repository';
import { type PlatformNode, startNodePair } from './platform-node';

const A = 'alice.localhost';
const B = 'bob.localhost';

/** Protocol §4.4 between two whole platform instances on loopback, through their gateways. */
describe('cross-node access: PROXY token exchange between two platform instances', () => {
  let nodeA: PlatformNode;
  let nodeB: PlatformNode;
  let aliceToken: string;

  beforeAll(async () => {
    [nodeA, nodeB] = await startNodePair(
      { idTag: A, password: 'alice-password' },
      { idTag: B, password: 'bob-password' },
    );
    aliceToken = await nodeA.login(A, 'alice-password');
    // Bob's node knows Alice and made her a contributor.
    const bob = await nodeB.identity.app.get(TenantsRepository).findByIdTag(B);
    await nodeB.identity.app
      .get(KnownProfilesRepository)
      .remember(bob!.tnId, { idTag: A, name: 'Alice', type: 'person', roles: ['contributor'] });
  });

  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
  });

  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;

  it('completes the flow: A signs a PROXY token, B verifies it against A’s /api/me and issues a token with A’s roles there', async () => {
    const res = await nodeA.call(A, 'GET', `/api/auth/proxy-token?idTag=${B}`, aliceToken);
    expect(res.status).toBe(200);
    const { token, roles } = (res.json as { data: { token: string; roles: string[] } }).data;
    expect(roles).toEqual(['contributor']);
    expect(claimsOf(token)).toMatchObject({ iss: B, sub: A, r: 'contributor' });

    // The shell then narrows it at B to a file scope and uses it there.
    const scoped = await nodeB.call(B, 'GET', '/api/auth/access-token?scope=file:f1~doc:W', token);
    expect(scoped.status).toBe(200);
    const scopedToken = (scoped.json as { data: { token: string } }).data.token;
    expect(claimsOf(scopedToken)).toMatchObject({ iss: B, sub: A, scope: 'file:f1~doc:W' });
    // B's token is worthless at A, and A's at B.
    expect((await nodeA.call(A, 'GET', '/api/auth/access-token', token)).status).toBe(401);
    expect((await nodeB.call(B, 'GET', '/api/auth/access-token', aliceToken)).status).toBe(401);
  });

  it('reuses the token from its cache until shortly before it expires', async () => {
    const first = await nodeA.call(A, 'GET', `/api/auth/proxy-token?idTag=${B}`, aliceToken);
    const second = await nodeA.call(A, 'GET', `/api/auth/proxy-token?idTag=${B}`, aliceToken);
    expect((second.json as { data: { token: string } }).data.token).toBe(
      (first.json as { data: { token: string } }).data.token,
    );
  });

  it('refuses PROXY tokens that are addressed elsewhere, too old, too long-lived or not PROXY', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = async (claims: Record<string, unknown>) =>
      (await nodeA.identity.rpc.request(signWithTenantKey, { idTag: A, claims })).token;
    const cases = {
      wrongAudience: await sign({ t: 'PROXY', aud: 'carol.localhost', iat: now, exp: now + 60 }),
      expired: await sign({ t: 'PROXY', aud: B, iat: now - 200, exp: now - 140 }),
      longLived: await sign({ t: 'PROXY', aud: B, iat: now, exp: now + 3600 }),
      notProxy: await sign({ t: 'POST', aud: B, iat: now, exp: now + 60 }),
      noExpiry: await sign({ t: 'PROXY', aud: B, iat: now }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await nodeB.call(
        B,
        'GET',
        `/api/auth/access-token?token=${encodeURIComponent(token)}`,
      );
      expect([name, res.status]).toEqual([name, 401]);
      expect(res.json).toMatchObject({ error: { code: 'E-AUTH-UNAUTH' } });
    }
    // A PROXY signed by the host tenant itself would make an owner token out of a signature.
    const { token: ownProxy } = await nodeB.identity.rpc.request(signWithTenantKey, {
      idTag: B,
      claims: { t: 'PROXY', aud: B, iat: now, exp: now + 60 },
    });
    const own = await nodeB.call(B, 'GET', `/api/auth/access-token?token=${ownProxy}`);
    expect(own.status).toBe(401);
    const valid = await sign({ t: 'PROXY', aud: B, iat: now, exp: now + 60 });
    const tampered = `${valid.slice(0, -4)}${valid.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect((await nodeB.call(B, 'GET', `/api/auth/access-token?token=${tampered}`)).status).toBe(
      401,
    );
    expect((await nodeB.call(B, 'GET', `/api/auth/access-token?token=${valid}`)).status).toBe(200);
  });

  it('gives a stranger no roles, and refuses a non-owner', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { token: proxy } = await nodeB.identity.rpc.request(signWithTenantKey, {
      idTag: B,
      claims: { t: 'PROXY', aud: A, iat: now, exp: now + 60 },
    });
    const res = await nodeA.call(A, 'GET', `/api/auth/access-token?token=${proxy}`);
    expect(res.status).toBe(200);
    const claims = claimsOf((res.json as { data: { token: string } }).data.token);
    expect(claims).toMatchObject({ iss: A, sub: B });
    expect(claims['r']).toBeUndefined();
    const direct = await httpRequest({
      port: nodeA.gatewayPort,
      path: `/api/auth/proxy-token?idTag=${B}`,
      headers: { Host: `cl-o.${A}` },
    });
    expect(direct.status).toBe(401);
  });

  it('a federated leader may do leader things at B, but not what only B’s own user may', async () => {
    const bob = await nodeB.identity.app.get(TenantsRepository).findByIdTag(B);
    await nodeB.identity.app
      .get(KnownProfilesRepository)
      .remember(bob!.tnId, { idTag: A, name: 'Alice', type: 'person', roles: ['leader'] });
    const now = Math.floor(Date.now() / 1000);
    const { token: proxy } = await nodeA.identity.rpc.request(signWithTenantKey, {
      idTag: A,
      claims: { t: 'PROXY', aud: B, iat: now, exp: now + 60 },
    });
    const exchanged = await nodeB.call(B, 'GET', `/api/auth/access-token?token=${proxy}`);
    const leaderToken = (exchanged.json as { data: { token: string } }).data.token;
    expect(claimsOf(leaderToken)).toMatchObject({ sub: A, r: 'leader' });
    expect((await nodeB.call(B, 'GET', '/api/auth/api-keys', leaderToken)).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/auth/wa/reg/challenge'],
      ['POST', '/api/auth/password'],
    ] as const) {
      const res = await nodeB.call(
        B,
        method,
        path,
        leaderToken,
        method === 'POST' ? {} : undefined,
      );
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.json).toMatchObject({ error: { code: 'E-AUTH-NOPERM' } });
    }
  });
});
