import { type ApiCall, type HttpResult } from '@cloudillo/testing';

import { type AuthStack, startAuthStack } from './auth-stack';

describe('API keys and share links exchanged for access tokens (protocol §4.3, §4.5)', () => {
  let stack: AuthStack;

  const call: ApiCall = (...args) => stack.call(...args);
  const data = <T>(res: HttpResult) => (res.json as { data: T }).data;
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;

  beforeAll(async () => {
    stack = await startAuthStack({ tenants: ['alice.localhost', 'bob.localhost'] });
  });

  afterAll(() => stack?.close());

  it('creates a key shown once, lists it without the secret, and exchanges it for a token', async () => {
    const created = await call('alice.localhost', 'POST', '/api/auth/api-keys', {
      token: stack.tokens['alice.localhost'],
      body: { name: 'stay logged in' },
    });
    expect(created.status).toBe(201);
    const key = data<{ keyId: number; keyPrefix: string; plaintextKey: string; createdAt: number }>(
      created,
    );
    expect(key).toMatchObject({ name: 'stay logged in', createdAt: expect.any(Number) });
    expect(key.plaintextKey).toMatch(/^cl_[A-Za-z0-9_-]{43}$/);
    expect(key.keyPrefix).toBe(key.plaintextKey.slice(0, 11));
    const list = await call('alice.localhost', 'GET', '/api/auth/api-keys', {
      token: stack.tokens['alice.localhost'],
    });
    expect(list.text).not.toContain(key.plaintextKey);
    expect(data<{ keyId: number }[]>(list).map((k) => k.keyId)).toContain(key.keyId);

    const exchanged = await call(
      'alice.localhost',
      'GET',
      `/api/auth/access-token?apiKey=${key.plaintextKey}`,
    );
    expect(exchanged.status).toBe(200);
    const token = data<{ token: string }>(exchanged).token;
    expect(claimsOf(token)).toMatchObject({ iss: 'alice.localhost', sub: 'alice.localhost' });
    expect((await call('alice.localhost', 'GET', '/api/auth/login-token', { token })).status).toBe(
      200,
    );
    const used = await call('alice.localhost', 'GET', `/api/auth/api-keys/${key.keyId}`, {
      token: stack.tokens['alice.localhost'],
    });
    expect(data<{ lastUsedAt: number }>(used).lastUsedAt).toEqual(expect.any(Number));

    // Another tenant's key, or a forged one, is refused; so is the key at another tenant.
    expect(
      (await call('bob.localhost', 'GET', `/api/auth/access-token?apiKey=${key.plaintextKey}`))
        .status,
    ).toBe(401);
    expect(
      (await call('alice.localhost', 'GET', `/api/auth/access-token?apiKey=cl_${'A'.repeat(43)}`))
        .status,
    ).toBe(401);

    // Deleting the key stops every token it produced, at once.
    expect(
      (
        await call('alice.localhost', 'DELETE', `/api/auth/api-keys/${key.keyId}`, {
          token: stack.tokens['alice.localhost'],
        })
      ).status,
    ).toBe(200);
    expect(
      (await call('alice.localhost', 'GET', '/api/auth/login-token', { token })).json,
    ).toMatchObject({
      error: { code: 'E-AUTH-UNAUTH' },
    });
    expect(
      (await call('alice.localhost', 'GET', `/api/auth/access-token?apiKey=${key.plaintextKey}`))
        .status,
    ).toBe(401);
  });

  it('gives a key’s scopes to its tokens, which then reach only their paths', async () => {
    const { plaintextKey } = data<{ plaintextKey: string }>(
      await call('alice.localhost', 'POST', '/api/auth/api-keys', {
        token: stack.tokens['alice.localhost'],
        body: { name: 'dav', scopes: 'carddav:read' },
      }),
    );
    const token = data<{ token: string }>(
      await call('alice.localhost', 'GET', `/api/auth/access-token?apiKey=${plaintextKey}`),
    ).token;
    expect(claimsOf(token)).toMatchObject({ scope: 'carddav:read' });
    expect((await call('alice.localhost', 'GET', '/api/auth/api-keys', { token })).status).toBe(
      403,
    );
  });

  it('deletes the "stay logged in" key on logout with {apiKey}', async () => {
    const { plaintextKey, keyId } = data<{ plaintextKey: string; keyId: number }>(
      await call('alice.localhost', 'POST', '/api/auth/api-keys', {
        token: stack.tokens['alice.localhost'],
        body: {},
      }),
    );
    const session = data<{ token: string }>(
      await call('alice.localhost', 'POST', '/api/auth/login', {
        body: { idTag: 'alice.localhost', password: 'long-password' },
      }),
    ).token;
    expect(
      (
        await call('alice.localhost', 'POST', '/api/auth/logout', {
          token: session,
          body: { apiKey: plaintextKey },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call('alice.localhost', 'GET', `/api/auth/api-keys/${keyId}`, {
          token: stack.tokens['alice.localhost'],
        })
      ).status,
    ).toBe(404);
  });

  it.each([
    ['bad scopes', { scopes: 'ALL THE THINGS' }],
    ['an expiry in the past (Unix seconds)', { expiresAt: 978307200 }],
    ['an expiry that is not Unix seconds', { expiresAt: '2031-01-01T00:00:00Z' }],
    ['an unknown field', { roles: ['SADM'] }],
  ])('refuses %s with 400', async (_name, body) => {
    const res = await call('alice.localhost', 'POST', '/api/auth/api-keys', {
      token: stack.tokens['alice.localhost'],
      body,
    });
    expect(res.status).toBe(400);
  });

  it('turns a share link into an anonymous file-scoped token, one use per exchange', async () => {
    const ref = data<{ refId: string }>(
      await call('alice.localhost', 'POST', '/api/refs', {
        token: stack.tokens['alice.localhost'],
        body: {
          type: 'share.file',
          resourceId: 'f1~doc',
          accessLevel: 'comment',
          count: 1,
          params: 'view=1',
        },
      }),
    );
    const res = await call('alice.localhost', 'GET', `/api/auth/access-token?refId=${ref.refId}`);
    expect(res.status).toBe(200);
    const body = data<{ token: string }>(res);
    expect(body).toEqual({
      token: expect.any(String),
      scope: 'file:f1~doc:C',
      resourceId: 'f1~doc',
      accessLevel: 'comment',
      params: 'view=1',
      expiresAt: expect.any(Number),
    });
    const claims = claimsOf(body.token);
    expect(claims).toMatchObject({ iss: 'alice.localhost', scope: 'file:f1~doc:C' });
    expect(claims['sub']).toBeUndefined();
    // The link is used up; a second exchange fails, and the anonymous token reaches no account route.
    expect(
      (await call('alice.localhost', 'GET', `/api/auth/access-token?refId=${ref.refId}`)).status,
    ).toBe(410);
    expect(
      (await call('alice.localhost', 'GET', '/api/auth/api-keys', { token: body.token })).status,
    ).toBe(403);
    expect(
      (await call('bob.localhost', 'GET', `/api/auth/access-token?refId=${ref.refId}`)).status,
    ).toBe(404);
  });

  it('refuses a via= request without a token (401) or with ids and scopes that are no file ids (400)', async () => {
    const via = (query: string, token?: string) =>
      call('alice.localhost', 'GET', `/api/auth/access-token?${query}`, token ? { token } : {});
    const doc = 'a'.repeat(24);
    expect((await via(`via=${doc}&scope=file:${'b'.repeat(24)}:R`)).status).toBe(401);
    const token = stack.tokens['alice.localhost'];
    for (const query of [
      `via=f1~x&scope=file:${doc}:R`,
      `via=${doc}&scope=file:f1~y:R`,
      `via=${doc}&scope=file:${doc}:A`,
      `via=${doc}`,
      `via=${doc}&scope=apkg:publish`,
    ]) {
      const res = await via(query, token);
      expect([query, res.status, res.json]).toMatchObject([
        query,
        400,
        { error: { code: 'E-VAL-INVALID' } },
      ]);
    }
  });
});
