import { createTenant, setProfilePicture, setTenantPassword } from '@cloudillo/contracts';
import { httpRequest, type HttpResult, apiClient } from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { type AuthHarness, startTestAccessToken } from '../../access-token/test/auth-harness';
import { KnownProfilesRepository } from '../src/profiles/known-profiles.repository';
import { TenantsRepository } from '../src/tenants/tenants.repository';
import { type IdentityHarness, startTestIdentity } from './identity-harness';

const BASE = 'base.localhost';

describe('profile and admin routes behind the auth guard (identity + access-token, real Postgres and NATS)', () => {
  let identity: IdentityHarness;
  let auth: AuthHarness;
  const tokens: Record<string, string> = {};

  const call = apiClient(() => identity.port);
  const data = <T>(res: HttpResult) => (res.json as { data: T }).data;
  const codeOf = (res: HttpResult) => (res.json as { error?: { code?: string } }).error?.code;

  beforeAll(async () => {
    identity = await startTestIdentity({ baseIdTag: BASE });
    auth = await startTestAccessToken({ natsUrl: identity.nats.url, loginFailureDelayMs: 0 });
    for (const idTag of [BASE, 'alice.localhost', 'bob.localhost']) {
      if (idTag !== BASE) await identity.rpc.request(createTenant, { idTag });
      await identity.rpc.request(setTenantPassword, { idTag, password: `${idTag}-password` });
      const res = await httpRequest({
        port: auth.port,
        method: 'POST',
        path: '/api/auth/login',
        headers: { Host: `cl-o.${idTag}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ idTag, password: `${idTag}-password` }),
      });
      tokens[idTag] = data<{ token: string }>(res).token;
    }
    // Bob's private sections and the identities he knows: what alice must never reach.
    const bobProfile = await call('bob.localhost', 'PATCH', '/api/me', {
      token: tokens['bob.localhost'],
      body: { x: { diary: 'bob-secret', 'diary.vis': 'D', motto: 'hi' } },
    });
    expect(bobProfile.status).toBe(200);
    const repo = identity.app.get(KnownProfilesRepository);
    const bob = await identity.app.get(TenantsRepository).findByIdTag('bob.localhost');
    await repo.remember(bob!.tnId, { idTag: 'carol.example.com', name: 'Carol', type: 'person' });
  });

  afterAll(async () => {
    await auth?.close();
    await identity?.close();
  });

  describe('own profile', () => {
    it('PATCH /api/me sets the name and sections; the owner sees markers, others only what their tier reaches', async () => {
      const etagBefore = (await call('alice.localhost', 'GET', '/api/me')).headers['etag'];
      const res = await call('alice.localhost', 'PATCH', '/api/me', {
        token: tokens['alice.localhost'],
        body: { name: 'Alice A.', x: { bio: 'hello', email: 'a@example.com', 'email.vis': 'C' } },
      });
      expect(res.status).toBe(200);
      expect(data(res)).toEqual({
        profile: {
          idTag: 'alice.localhost',
          name: 'Alice A.',
          type: 'person',
          x: { bio: 'hello', email: 'a@example.com', 'email.vis': 'C' },
        },
      });
      expect((await call('alice.localhost', 'GET', '/api/me')).headers['etag']).not.toBe(
        etagBefore,
      );

      const anonymous = data<{ x: unknown; keys: unknown[] }>(
        await call('alice.localhost', 'GET', '/api/me/full'),
      );
      expect(anonymous).toMatchObject({
        idTag: 'alice.localhost',
        name: 'Alice A.',
        x: { bio: 'hello' },
      });
      expect(anonymous.x).toEqual({ bio: 'hello' });
      expect(anonymous.keys).toHaveLength(1);
      const owner = data<{ x: unknown }>(
        await call('alice.localhost', 'GET', '/api/me/full', { token: tokens['alice.localhost'] }),
      );
      expect(owner.x).toEqual({ bio: 'hello', email: 'a@example.com', 'email.vis': 'C' });

      const removed = await call('alice.localhost', 'PATCH', '/api/me', {
        token: tokens['alice.localhost'],
        body: { x: { email: null, 'email.vis': null } },
      });
      expect(data<{ profile: { x: unknown } }>(removed).profile.x).toEqual({ bio: 'hello' });
    });

    it.each([
      ['an empty patch', {}],
      ['an unknown field', { nick: 'x' }],
      ['an oversized name', { name: 'n'.repeat(201) }],
      ['an empty name', { name: '   ' }],
      ['a bad section name', { x: { 'a b': 'x' } }],
      ['an oversized section', { x: { bio: 'x'.repeat(4097) } }],
      ['a bad visibility', { x: { 'bio.vis': 'everyone' } }],
    ])('refuses %s with 400, changing nothing', async (_name, body) => {
      const res = await call('alice.localhost', 'PATCH', '/api/me', {
        token: tokens['alice.localhost'],
        body,
      });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('E-VAL-INVALID');
      expect(data<{ name: string }>(await call('alice.localhost', 'GET', '/api/me')).name).toBe(
        'Alice A.',
      );
    });

    it('refuses more than 64 sections with 413 and keeps the old ones', async () => {
      const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`s${i}`, 'v']));
      const res = await call('alice.localhost', 'PATCH', '/api/me', {
        token: tokens['alice.localhost'],
        body: { x: many },
      });
      expect(res.status).toBe(413);
      expect(codeOf(res)).toBe('E-CORE-TOOLARGE');
      const owner = data<{ x: unknown }>(
        await call('alice.localhost', 'GET', '/api/me/full', { token: tokens['alice.localhost'] }),
      );
      expect(owner.x).toEqual({ bio: 'hello' });
    });

    it('takes pictures from the blob service over NATS and shows them (new ETag)', async () => {
      const etag = (await call('alice.localhost', 'GET', '/api/me')).headers['etag'];
      const pic = `f1~${'A'.repeat(43)}`;
      const cover = `f1~${'B'.repeat(43)}`;
      await expect(
        identity.rpc.request(setProfilePicture, {
          idTag: 'alice.localhost',
          kind: 'profile',
          fileId: pic,
        }),
      ).resolves.toEqual({ idTag: 'alice.localhost', profilePic: pic });
      await identity.rpc.request(setProfilePicture, {
        idTag: 'alice.localhost',
        kind: 'cover',
        fileId: cover,
      });
      const me = await call('alice.localhost', 'GET', '/api/me');
      expect(me.headers['etag']).not.toBe(etag);
      expect(data(me)).toMatchObject({ profilePic: pic });
      expect(data(await call('alice.localhost', 'GET', '/api/me/full'))).toMatchObject({
        profilePic: pic,
        coverPic: cover,
      });
      await expect(
        identity.rpc.request(setProfilePicture, {
          idTag: 'alice.localhost',
          kind: 'profile',
          fileId: 'b1~nope',
        }),
      ).rejects.toMatchObject({ code: 'E-VAL-INVALID' });
      await expect(
        identity.rpc.request(setProfilePicture, {
          idTag: 'nobody.localhost',
          kind: 'profile',
          fileId: pic,
        }),
      ).rejects.toMatchObject({ code: 'E-CORE-NOTFOUND' });
      await identity.rpc.request(setProfilePicture, {
        idTag: 'alice.localhost',
        kind: 'cover',
        fileId: null,
      });
      expect(data(await call('alice.localhost', 'GET', '/api/me/full'))).not.toHaveProperty(
        'coverPic',
      );
    });

    it('needs a token to change the profile', async () => {
      const res = await call('alice.localhost', 'PATCH', '/api/me', { body: { name: 'Mallory' } });
      expect(res.status).toBe(401);
      expect(codeOf(res)).toBe('E-AUTH-UNAUTH');
    });
  });

  describe('known profiles', () => {
    it('lists, filters, pages, reads and changes the identities a tenant knows', async () => {
      const repo = identity.app.get(KnownProfilesRepository);
      const alice = await identity.app.get(TenantsRepository).findByIdTag('alice.localhost');
      for (const [idTag, type] of [
        ['dave.example.com', 'person'],
        ['erin.example.com', 'person'],
        ['club.example.com', 'community'],
      ] as const) {
        await repo.remember(alice!.tnId, { idTag, name: idTag.split('.')[0]!, type });
      }
      const token = tokens['alice.localhost'];
      const first = await call('alice.localhost', 'GET', '/api/profiles?limit=2', { token });
      expect(first.status).toBe(200);
      const page = first.json as {
        data: { idTag: string }[];
        cursorPagination: { nextCursor: string; hasMore: boolean };
      };
      expect(page.data.map((p) => p.idTag)).toEqual(['club.example.com', 'dave.example.com']);
      expect(page.cursorPagination.hasMore).toBe(true);
      const second = await call(
        'alice.localhost',
        'GET',
        `/api/profiles?limit=2&cursor=${page.cursorPagination.nextCursor}`,
        { token },
      );
      expect(data<{ idTag: string }[]>(second).map((p) => p.idTag)).toEqual(['erin.example.com']);
      const communities = await call('alice.localhost', 'GET', '/api/profiles?type=community', {
        token,
      });
      expect(data<{ idTag: string }[]>(communities).map((p) => p.idTag)).toEqual([
        'club.example.com',
      ]);
      expect(
        (await call('alice.localhost', 'GET', '/api/profiles?cursor=bogus', { token })).status,
      ).toBe(400);

      const one = await call('alice.localhost', 'GET', '/api/profiles/dave.example.com', { token });
      expect(data(one)).toEqual({
        idTag: 'dave.example.com',
        name: 'dave',
        type: 'person',
        status: 'A',
        connected: false,
        following: false,
        follower: false,
        roles: [],
      });
      const unknown = await call('alice.localhost', 'GET', '/api/profiles/nobody.example.com', {
        token,
      });
      expect(unknown.status).toBe(200);
      expect(unknown.json).toMatchObject({ data: null });

      const trusted = await call('alice.localhost', 'PATCH', '/api/profiles/dave.example.com', {
        token,
        body: { trust: 'always', hiddenInHome: true },
      });
      expect(trusted.status).toBe(200);
      expect(
        data(await call('alice.localhost', 'GET', '/api/profiles/dave.example.com', { token })),
      ).toMatchObject({
        trust: 'always',
        hiddenInHome: true,
      });
      expect(
        (
          await call('alice.localhost', 'PATCH', '/api/profiles/nobody.example.com', {
            token,
            body: { trust: 'never' },
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await call('alice.localhost', 'PATCH', '/api/profiles/dave.example.com', {
            token,
            body: { roles: ['leader'] },
          })
        ).status,
      ).toBe(400);
    });

    it('answers batch lookups with public summaries of local and cached identities', async () => {
      const res = await call(
        'alice.localhost',
        'GET',
        '/api/profiles/batch?idTags=bob.localhost,nobody.example.com',
        {
          token: tokens['alice.localhost'],
        },
      );
      expect(data(res)).toEqual([{ idTag: 'bob.localhost', name: 'bob', type: 'person' }]);
      expect(
        (
          await call('alice.localhost', 'GET', '/api/profiles/batch?idTags=Not_Valid', {
            token: tokens['alice.localhost'],
          })
        ).status,
      ).toBe(400);
    });
  });

  describe('server admin', () => {
    it('lists tenants (paged, searchable), suspends, reactivates, renames and purges', async () => {
      const token = tokens[BASE];
      const all = await call(BASE, 'GET', '/api/admin/tenants?limit=2', { token });
      expect(all.status).toBe(200);
      const page = all.json as {
        data: { idTag: string; createdAt: number }[];
        cursorPagination: { nextCursor: string };
      };
      expect(page.data.map((t) => t.idTag)).toEqual([BASE, 'alice.localhost']);
      expect(page.data[0]!.createdAt).toEqual(expect.any(Number));
      const rest = await call(
        BASE,
        'GET',
        `/api/admin/tenants?cursor=${page.cursorPagination.nextCursor}`,
        { token },
      );
      expect(data<{ idTag: string }[]>(rest).map((t) => t.idTag)).toEqual(['bob.localhost']);
      const search = await call(BASE, 'GET', '/api/admin/tenants?q=bob', { token });
      expect(data<{ idTag: string }[]>(search).map((t) => t.idTag)).toEqual(['bob.localhost']);

      await identity.rpc.request(createTenant, { idTag: 'temp.localhost' });
      const suspended = await call(BASE, 'POST', '/api/admin/tenants/temp.localhost/suspend', {
        token,
      });
      expect(data(suspended)).toMatchObject({ idTag: 'temp.localhost', status: 'S' });
      const renamed = await call(BASE, 'PATCH', '/api/admin/profiles/temp.localhost', {
        token,
        body: { name: 'Temporary', roles: ['moderator'], status: 'A' },
      });
      expect(data(renamed)).toEqual({
        profile: {
          idTag: 'temp.localhost',
          name: 'Temporary',
          type: 'person',
          roles: ['moderator'],
          status: 'A',
        },
      });
      const refused = await call(BASE, 'PATCH', `/api/admin/profiles/${BASE}`, {
        token,
        body: { roles: [] },
      });
      expect(refused.status).toBe(409);
      const purged = await call(BASE, 'POST', '/api/admin/tenants/temp.localhost/purge', { token });
      expect(data(purged)).toEqual({ idTag: 'temp.localhost', tnId: expect.any(Number) });
      expect((await call('temp.localhost', 'GET', '/api/me')).status).toBe(404);
    });

    it('is for the server admin only', async () => {
      const own = await call('alice.localhost', 'GET', '/api/admin/tenants', {
        token: tokens['alice.localhost'],
      });
      expect(own.status).toBe(403);
      expect(codeOf(own)).toBe('E-AUTH-NOPERM');
      const elsewhere = await call(BASE, 'GET', '/api/admin/tenants', {
        token: tokens['alice.localhost'],
      });
      expect(elsewhere.status).toBe(401);
      expect((await call(BASE, 'GET', '/api/admin/tenants')).status).toBe(401);
    });
  });

  describe('tenant isolation', () => {
    /** Every HTTP route identity serves, read from its router. */
    function routes(): { method: string; path: string }[] {
      const router = (
        identity.app.getHttpAdapter().getInstance() as {
          router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
        }
      ).router;
      return router.stack.flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods).map((method) => ({
              method: method.toUpperCase(),
              path: layer.route!.path,
            }))
          : [],
      );
    }

    it('alice’s token reaches none of bob’s data through any identity route', async () => {
      const all = routes();
      expect(all.length).toBeGreaterThan(15);
      const bobBefore = data(
        await call('bob.localhost', 'GET', '/api/me/full', { token: tokens['bob.localhost'] }),
      );
      const reached: string[] = [];
      for (const { method, path } of all) {
        const concrete = path.replace(/:idTag/g, 'carol.example.com').replace(/:[A-Za-z]+/g, 'x');
        const body =
          method === 'GET'
            ? undefined
            : { name: 'Mallory', x: { diary: 'overwritten' }, trust: 'never' };
        const res = await call('bob.localhost', method, concrete, {
          token: tokens['alice.localhost'],
          body,
        });
        // A protected route refuses the foreign token; a public one may answer, but never with private data.
        if (res.status !== 401) reached.push(`${method} ${path} → ${res.status}`);
        expect(res.text).not.toContain('bob-secret');
        expect(res.text).not.toContain('carol');
      }
      // Only the public routes answered at all (they read no credentials).
      const PUBLIC =
        /^(GET \/api\/me|GET \/api\/me\/app-domain|GET \/api\/idp\/(info|check-availability)|POST \/api\/idp\/activate|POST \/api\/profiles\/(verify|register)|GET \/(health|ready)|GET \/\.well-known\/cloudillo\/id-tag) /;
      expect(reached.filter((line) => !PUBLIC.test(line))).toEqual([]);
      const bobAfter = data(
        await call('bob.localhost', 'GET', '/api/me/full', { token: tokens['bob.localhost'] }),
      );
      expect(bobAfter).toEqual(bobBefore);
      const carol = await call('bob.localhost', 'GET', '/api/profiles/carol.example.com', {
        token: tokens['bob.localhost'],
      });
      expect(data(carol)).not.toMatchObject({ trust: 'never' });
    });

    it('bob’s own private sections stay out of alice’s reach even through public routes', async () => {
      const publicView = await call('bob.localhost', 'GET', '/api/me/full');
      expect(data<{ x: Record<string, string> }>(publicView).x).toEqual({ motto: 'hi' });
    });
  });
  describe('settings', () => {
    const as = (idTag: string, method: string, path: string, body?: unknown) =>
      call(idTag, method, path, {
        token: tokens[idTag],
        ...(body === undefined ? {} : { body }),
      });

    it('lists the known settings with their defaults, and keeps what a leader sets', async () => {
      const list = data<{ key: string; value: unknown }[]>(
        await as('alice.localhost', 'GET', '/api/settings'),
      );
      expect(list).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ key: 'profile.connection_mode', value: 'M', scope: 'tenant' }),
          expect.objectContaining({ key: 'profile.allow_followers', value: true }),
        ]),
      );
      const put = await as('alice.localhost', 'PUT', '/api/settings/profile.connection_mode', {
        value: 'A',
      });
      expect([put.status, data(put)]).toEqual([200, {}]);
      const read = await as('alice.localhost', 'GET', '/api/settings/profile.connection_mode');
      expect(data(read)).toMatchObject({ key: 'profile.connection_mode', value: 'A' });
      // Another tenant's settings are its own.
      const bobs = await as('bob.localhost', 'GET', '/api/settings/profile.connection_mode');
      expect(data(bobs)).toMatchObject({ value: 'M' });
      const reset = await as('alice.localhost', 'DELETE', '/api/settings/profile.connection_mode');
      expect([reset.status, data(reset)]).toEqual([200, null]);
      const again = await as('alice.localhost', 'GET', '/api/settings/profile.connection_mode');
      expect(data(again)).toMatchObject({ value: 'M' });
    });

    it('refuses bad values, unknown names, strangers and other tenants', async () => {
      const bad = await as('alice.localhost', 'PUT', '/api/settings/profile.connection_mode', {
        value: 'X',
      });
      expect([bad.status, codeOf(bad)]).toEqual([400, 'E-VAL-INVALID']);
      const wrongType = await as(
        'alice.localhost',
        'PUT',
        '/api/settings/profile.allow_followers',
        {
          value: 'no',
        },
      );
      expect([wrongType.status, codeOf(wrongType)]).toEqual([400, 'E-VAL-INVALID']);
      const unknown = await as('alice.localhost', 'PUT', '/api/settings/profile.favourite_colour', {
        value: 'red',
      });
      expect([unknown.status, codeOf(unknown)]).toEqual([404, 'E-CORE-NOTFOUND']);
      const malformed = await as('alice.localhost', 'GET', '/api/settings/..%2Fetc');
      expect(malformed.status).toBe(400);
      const anonymous = await call('alice.localhost', 'GET', '/api/settings');
      expect(anonymous.status).toBe(401);
      // Alice's token does not open bob's settings.
      const foreign = await call('bob.localhost', 'PUT', '/api/settings/profile.connection_mode', {
        token: tokens['alice.localhost'],
        body: { value: 'I' },
      });
      expect(foreign.status).toBe(401);
      const bobs = await as('bob.localhost', 'GET', '/api/settings/profile.connection_mode');
      expect(data(bobs)).toMatchObject({ value: 'M' });
    });
  });
});
