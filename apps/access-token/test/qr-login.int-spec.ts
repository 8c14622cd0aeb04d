import { type ApiCall, type HttpResult } from '@cloudillo/testing';

import { type AuthStack, startAuthStack } from './auth-stack';

describe('login-init and QR login (sessions in the real Redis)', () => {
  let stack: AuthStack;
  let ownerToken: string;

  /** Calls as a phone would: the user agent is what the owner sees when approving. */
  const call: ApiCall = (host, method, path, options = {}) =>
    stack.call(host, method, path, {
      ...options,
      headers: { 'User-Agent': 'TestPhone/1.0', ...options.headers },
    });
  const data = <T>(res: HttpResult) => (res.json as { data: T }).data;

  beforeAll(async () => {
    stack = await startAuthStack({ tenants: ['alice.localhost', 'bob.localhost'] });
    ownerToken = stack.tokens['alice.localhost']!;
  });

  afterAll(() => stack?.close());

  it('login-init answers the current login to a logged-in caller', async () => {
    const res = await call('alice.localhost', 'POST', '/api/auth/login-init', {
      token: ownerToken,
    });
    expect(data(res)).toMatchObject({
      status: 'authenticated',
      login: { idTag: 'alice.localhost', token: expect.any(String) },
    });
  });

  it('logs a new device in once the owner approves its QR code', async () => {
    const init = data<{
      status: string;
      qrLogin: { sessionId: string; secret: string };
      webAuthn?: unknown;
    }>(await call('alice.localhost', 'POST', '/api/auth/login-init'));
    expect(init.status).toBe('unauthenticated');
    expect(init.webAuthn).toBeUndefined(); // alice has no passkeys
    const { sessionId, secret } = init.qrLogin;
    const poll = (wait = 0, s = secret) =>
      call('alice.localhost', 'GET', `/api/auth/qr-login/${sessionId}/status?wait=${wait}`, {
        headers: { 'x-qr-secret': s },
      });
    expect(data(await poll())).toEqual({ status: 'pending' });
    expect((await poll(0, 'wrong-secret')).status).toBe(403);

    const details = await call(
      'alice.localhost',
      'GET',
      `/api/auth/qr-login/${sessionId}/details`,
      { token: ownerToken },
    );
    expect(data(details)).toMatchObject({
      userAgent: 'TestPhone/1.0',
      ipAddress: expect.any(String),
    });

    // The body is the upstream client's (`{approved}`); anything else is refused, nothing decided.
    for (const body of [{ approve: true }, { approved: 'yes' }, {}]) {
      const refused = await call(
        'alice.localhost',
        'POST',
        `/api/auth/qr-login/${sessionId}/respond`,
        {
          token: ownerToken,
          body,
        },
      );
      expect(refused.status).toBe(400);
    }

    // A long poll that is answered as soon as the owner approves.
    const waiting = poll(10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const approved = await call(
      'alice.localhost',
      'POST',
      `/api/auth/qr-login/${sessionId}/respond`,
      {
        token: ownerToken,
        body: { approved: true },
      },
    );
    expect(data(approved)).toEqual({ status: 'approved' });
    const answer = data<{ status: string; login: { idTag: string; token: string } }>(await waiting);
    expect(answer).toMatchObject({ status: 'approved', login: { idTag: 'alice.localhost' } });
    expect(
      (
        await call('alice.localhost', 'GET', '/api/auth/access-token', {
          token: answer.login.token,
        })
      ).status,
    ).toBe(200);
    // The login is handed out once.
    expect(data(await poll())).toEqual({ status: 'expired' });
  });

  it('lets the owner deny, and keeps sessions to their tenant', async () => {
    const { sessionId, secret } = data<{ sessionId: string; secret: string }>(
      await call('alice.localhost', 'POST', '/api/auth/qr-login/init'),
    );
    const bobToken = data<{ token: string }>(
      await call('bob.localhost', 'POST', '/api/auth/login', {
        body: { idTag: 'bob.localhost', password: 'long-password' },
      }),
    ).token;
    expect(
      (
        await call('bob.localhost', 'POST', `/api/auth/qr-login/${sessionId}/respond`, {
          token: bobToken,
          body: { approved: true },
        })
      ).status,
    ).toBe(404);
    expect(
      data(
        await call('bob.localhost', 'GET', `/api/auth/qr-login/${sessionId}/status?wait=0`, {
          headers: { 'x-qr-secret': secret },
        }),
      ),
    ).toEqual({ status: 'expired' });
    await call('alice.localhost', 'POST', `/api/auth/qr-login/${sessionId}/respond`, {
      token: ownerToken,
      body: { approved: false },
    });
    expect(
      data(
        await call('alice.localhost', 'GET', `/api/auth/qr-login/${sessionId}/status?wait=0`, {
          headers: { 'x-qr-secret': secret },
        }),
      ),
    ).toEqual({ status: 'denied' });
    expect(
      (
        await call('alice.localhost', 'POST', `/api/auth/qr-login/${sessionId}/respond`, {
          token: ownerToken,
          body: { approved: true },
        })
      ).status,
    ).toBe(409);
    expect(
      (await call('alice.localhost', 'GET', '/api/auth/qr-login/bad%20id/status')).status,
    ).toBe(400);
  });
});
