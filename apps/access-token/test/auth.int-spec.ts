import { createHmac } from 'node:crypto';

import {
  createTenant,
  purgeTenant,
  setTenantPassword,
  signWithTenantKey,
} from '@cloudillo/contracts';
import { waitFor } from '@cloudillo/testing';
import { httpRequest } from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
import { type AuthHarness, startTestAccessToken } from './auth-harness';

interface LoginData {
  tnId: number;
  idTag: string;
  roles: string[];
  token: string;
  name: string;
  profilePic: string;
}

describe('access-token service: login, refresh, logout, password (real Postgres and NATS)', () => {
  let identity: IdentityHarness;
  let auth: AuthHarness;

  beforeAll(async () => {
    identity = await startTestIdentity({ baseIdTag: 'base.localhost' });
    auth = await startTestAccessToken({ natsUrl: identity.nats.url, loginFailureDelayMs: 200 });
    for (const idTag of ['alice.localhost', 'bob.localhost']) {
      await identity.rpc.request(createTenant, { idTag });
      await identity.rpc.request(setTenantPassword, { idTag, password: `${idTag}-secret` });
    }
  });

  afterAll(async () => {
    await auth?.close();
    await identity?.close();
  });

  const call = (
    host: string,
    method: string,
    path: string,
    options: { token?: string; body?: unknown; port?: number } = {},
  ) =>
    httpRequest({
      port: options.port ?? auth.port,
      method,
      path,
      headers: {
        Host: `cl-o.${host}`,
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
        ...(options.body ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    });

  const login = async (idTag: string, password = `${idTag}-secret`) => {
    const res = await call(idTag, 'POST', '/api/auth/login', { body: { idTag, password } });
    expect(res.status).toBe(200);
    return (res.json as { data: LoginData }).data;
  };
  const codeOf = (json: unknown) => (json as { error?: { code?: string } }).error?.code;

  it('logs in with the password and answers in the client’s tLoginResult shape', async () => {
    const data = await login('alice.localhost');
    expect(data).toEqual({
      tnId: expect.any(Number),
      idTag: 'alice.localhost',
      roles: expect.arrayContaining(['leader', 'public']),
      token: expect.stringMatching(/^eyJ/),
      name: 'alice',
      profilePic: '',
    });
    const header = JSON.parse(Buffer.from(data.token.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const refreshed = await call('alice.localhost', 'GET', '/api/auth/login-token', {
      token: data.token,
    });
    expect(refreshed.status).toBe(200);
    expect((refreshed.json as { data: LoginData }).data.idTag).toBe('alice.localhost');
  });

  it('refuses a wrong password, another tenant’s id_tag and an unknown id_tag alike, after the delay', async () => {
    for (const [host, idTag, password] of [
      ['alice.localhost', 'alice.localhost', 'wrong password'],
      ['alice.localhost', 'bob.localhost', 'bob.localhost-secret'],
      ['alice.localhost', 'nobody.localhost', 'whatever1'],
    ] as const) {
      const started = Date.now();
      const res = await call(host, 'POST', '/api/auth/login', { body: { idTag, password } });
      expect(res.status).toBe(401);
      expect(codeOf(res.json)).toBe('E-AUTH-UNAUTH');
      expect((res.json as { error: { message: string } }).error.message).toBe(
        'wrong id_tag or password',
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    }
    // A Host that names no tenant is answered before any route, as the gateway answers it.
    const unknown = await call('nobody.localhost', 'POST', '/api/auth/login', {
      body: { idTag: 'nobody.localhost', password: 'whatever1' },
    });
    expect(unknown.status).toBe(404);
    expect(codeOf(unknown.json)).toBe('E-CORE-NOTFOUND');
  });

  it('validates the login body: 400 with the field named', async () => {
    const res = await call('alice.localhost', 'POST', '/api/auth/login', {
      body: { idTag: 'alice.localhost' },
    });
    expect(res.status).toBe(400);
    expect(codeOf(res.json)).toBe('E-VAL-INVALID');
  });

  it('binds a token to its tenant: alice’s token is refused at bob', async () => {
    const { token } = await login('alice.localhost');
    const res = await call('bob.localhost', 'GET', '/api/auth/access-token', { token });
    expect(res.status).toBe(401);
    expect(codeOf(res.json)).toBe('E-AUTH-UNAUTH');
  });

  it('refreshes a token, narrows it to a scope, and keeps the scoped token to its paths', async () => {
    const { token } = await login('alice.localhost');
    const plain = await call('alice.localhost', 'GET', '/api/auth/access-token', { token });
    expect(plain.status).toBe(200);
    const scoped = await call(
      'alice.localhost',
      'GET',
      '/api/auth/access-token?scope=file:f1~abc:R',
      {
        token,
      },
    );
    expect(scoped.status).toBe(200);
    const scopedToken = (scoped.json as { data: { token: string } }).data.token;
    const claims = JSON.parse(Buffer.from(scopedToken.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: 'alice.localhost',
      sub: 'alice.localhost',
      scope: 'file:f1~abc:R',
    });
    const outside = await call('alice.localhost', 'GET', '/api/auth/login-token', {
      token: scopedToken,
    });
    expect(outside.status).toBe(403);
    expect(codeOf(outside.json)).toBe('E-AUTH-NOPERM');
    const widened = await call(
      'alice.localhost',
      'GET',
      '/api/auth/access-token?scope=file:f1~other:W',
      {
        token: scopedToken,
      },
    );
    expect(widened.status).toBe(403);
  });

  it('logout revokes the token and every token of its session at once', async () => {
    const { token } = await login('alice.localhost');
    const other = (await login('alice.localhost')).token;
    const refreshed = (
      (await call('alice.localhost', 'GET', '/api/auth/access-token', { token })).json as {
        data: { token: string };
      }
    ).data.token;
    const out = await call('alice.localhost', 'POST', '/api/auth/logout', { token });
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({ data: null });
    for (const revoked of [token, refreshed]) {
      const res = await call('alice.localhost', 'GET', '/api/auth/access-token', {
        token: revoked,
      });
      expect(res.status).toBe(401);
      expect((res.json as { error: { message: string } }).error.message).toBe(
        'session was revoked',
      );
    }
    // Another session of the same tenant is untouched.
    expect(
      (await call('alice.localhost', 'GET', '/api/auth/access-token', { token: other })).status,
    ).toBe(200);
  });

  it('a replica started after a logout still refuses the revoked session', async () => {
    const { token } = await login('alice.localhost');
    await call('alice.localhost', 'POST', '/api/auth/logout', { token });
    const late = await startTestAccessToken({
      natsUrl: identity.nats.url,
      schema: auth.schema,
      keyEncryptionKey: auth.config.keyEncryptionKey,
    });
    try {
      const res = await call('alice.localhost', 'GET', '/api/auth/access-token', {
        token,
        port: late.port,
      });
      expect(res.status).toBe(401);
    } finally {
      await late.close();
    }
  });

  it('changing the password revokes the other sessions and keeps the caller’s', async () => {
    const mine = await login('bob.localhost');
    const elsewhere = await login('bob.localhost');
    const wrong = await call('bob.localhost', 'POST', '/api/auth/password', {
      token: mine.token,
      body: { currentPassword: 'nope-nope', newPassword: 'a-new-password' },
    });
    expect(wrong.status).toBe(403);
    const short = await call('bob.localhost', 'POST', '/api/auth/password', {
      token: mine.token,
      body: { currentPassword: 'bob.localhost-secret', newPassword: 'short' },
    });
    expect(short.status).toBe(400);
    const changed = await call('bob.localhost', 'POST', '/api/auth/password', {
      token: mine.token,
      body: { currentPassword: 'bob.localhost-secret', newPassword: 'a-new-password' },
    });
    expect(changed.status).toBe(200);
    expect(
      (await call('bob.localhost', 'GET', '/api/auth/access-token', { token: mine.token })).status,
    ).toBe(200);
    expect(
      (await call('bob.localhost', 'GET', '/api/auth/access-token', { token: elsewhere.token }))
        .status,
    ).toBe(401);
    await login('bob.localhost', 'a-new-password');
  });

  it('refuses forged tokens: alg none, HS256 keyed with a public key, an action token', async () => {
    const { token } = await login('alice.localhost');
    const [header, payload] = token.split('.') as [string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'x' })).toString('base64url')}.${payload}.`;
    const hsHeader = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'HS256' }),
    ).toString('base64url');
    const keys = (
      await identity.rpc.request(signWithTenantKey, {
        idTag: 'alice.localhost',
        claims: { exp: Math.floor(Date.now() / 1000) + 60 },
      })
    ).token;
    const hs = `${hsHeader}.${payload}.${createHmac('sha256', 'public key').update(`${hsHeader}.${payload}`).digest('base64url')}`;
    for (const forged of [none, hs, keys, 'garbage']) {
      const res = await call('alice.localhost', 'GET', '/api/auth/access-token', { token: forged });
      expect(res.status).toBe(401);
      expect(codeOf(res.json)).toBe('E-AUTH-UNAUTH');
    }
  });

  it('requires a token where the route is protected and reads ?token= only on /ws and /api/files', async () => {
    expect((await call('alice.localhost', 'POST', '/api/auth/logout')).status).toBe(401);
    const { token } = await login('alice.localhost');
    const viaQuery = await httpRequest({
      port: auth.port,
      method: 'POST',
      path: `/api/auth/logout?token=${token}`,
      headers: { Host: 'cl-o.alice.localhost' },
    });
    expect(viaQuery.status).toBe(401);
    const loginToken = await call('alice.localhost', 'GET', '/api/auth/login-token');
    expect(loginToken.json).toMatchObject({ data: null });
  });

  it('a purge (announced by identity) revokes the tenant’s sessions and removes its password', async () => {
    await identity.rpc.request(createTenant, { idTag: 'gone.localhost' });
    await identity.rpc.request(setTenantPassword, {
      idTag: 'gone.localhost',
      password: 'gone-password',
    });
    const { token } = await login('gone.localhost', 'gone-password');
    await identity.rpc.request(purgeTenant, { idTag: 'gone.localhost' });
    const schema = auth.schema.schema;
    const { Client } = await import('pg');
    const pg = new Client({ connectionString: auth.config.databaseUrl });
    await pg.connect();
    const left = async (table: string) =>
      (await pg.query(`select 1 from "${schema}".${table} where id_tag = $1`, ['gone.localhost']))
        .rowCount;
    try {
      await waitFor(async () => (await left('credentials')) === 0);
      expect(await left('credentials')).toBe(0);
      // Its host is nobody's now (answered before any route); its sessions are revoked.
      const res = await call('gone.localhost', 'GET', '/api/auth/access-token', { token });
      expect(res.status).toBe(404);
      const revoked = await pg.query(
        `select 1 from "${schema}".sessions where subject = $1 and revoked_at is null`,
        ['gone.localhost'],
      );
      expect(revoked.rowCount).toBe(0);
    } finally {
      await pg.end();
    }
  });
});
