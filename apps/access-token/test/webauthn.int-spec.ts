import { type ApiCall, type HttpResult } from '@cloudillo/testing';

import { type AuthStack, startAuthStack } from './auth-stack';
import { SoftAuthenticator } from './soft-authenticator';

describe('passkeys: WebAuthn enrolment and login (@simplewebauthn/server, RP ID = id_tag)', () => {
  let stack: AuthStack;
  let ownerToken: string;
  const alice = new SoftAuthenticator('alice.localhost');

  const call: ApiCall = (...args) => stack.call(...args);
  const data = <T>(res: HttpResult) => (res.json as { data: T }).data;
  const loginChallenge = async (host = 'alice.localhost') =>
    data<{ options: { challenge: string; allowCredentials: { id: string }[] }; token: string }>(
      await call(host, 'GET', '/api/auth/wa/login/challenge'),
    );

  beforeAll(async () => {
    stack = await startAuthStack({ tenants: ['alice.localhost', 'bob.localhost'] });
    ownerToken = stack.tokens['alice.localhost']!;
  });

  afterAll(() => stack?.close());

  it('enrols a passkey for the owner and logs in with it', async () => {
    const challenge = data<{ options: { rp: { id: string }; challenge: string }; token: string }>(
      await call('alice.localhost', 'GET', '/api/auth/wa/reg/challenge', { token: ownerToken }),
    );
    expect(challenge.options.rp.id).toBe('alice.localhost');
    const enrolled = await call('alice.localhost', 'POST', '/api/auth/wa/reg', {
      token: ownerToken,
      body: {
        token: challenge.token,
        response: alice.register(challenge.options),
        description: 'laptop',
      },
    });
    expect(enrolled.status).toBe(201);
    expect(data(enrolled)).toEqual({ credentialId: alice.id, description: 'laptop' });
    expect(
      data(await call('alice.localhost', 'GET', '/api/auth/wa/reg', { token: ownerToken })),
    ).toEqual([{ credentialId: alice.id, description: 'laptop' }]);

    const login = await loginChallenge();
    expect(login.options.allowCredentials.map((c) => c.id)).toEqual([alice.id]);
    const res = await call('alice.localhost', 'POST', '/api/auth/wa/login', {
      body: { token: login.token, response: alice.assert(login.options) },
    });
    expect(res.status).toBe(200);
    expect(data(res)).toMatchObject({
      idTag: 'alice.localhost',
      token: expect.any(String),
      profilePic: '',
    });
  });

  it('uses a challenge once, and refuses a wrong origin, a foreign passkey, and another tenant', async () => {
    const login = await loginChallenge();
    const response = alice.assert(login.options);
    expect(
      (
        await call('alice.localhost', 'POST', '/api/auth/wa/login', {
          body: { token: login.token, response },
        })
      ).status,
    ).toBe(200);
    const replay = await call('alice.localhost', 'POST', '/api/auth/wa/login', {
      body: { token: login.token, response },
    });
    expect(replay.status).toBe(401);

    const phishing = await loginChallenge();
    const fromElsewhere = alice.assert(phishing.options, 'https://evil.example');
    expect(
      (
        await call('alice.localhost', 'POST', '/api/auth/wa/login', {
          body: { token: phishing.token, response: fromElsewhere },
        })
      ).status,
    ).toBe(401);

    const stranger = new SoftAuthenticator('alice.localhost');
    const attempt = await loginChallenge();
    expect(
      (
        await call('alice.localhost', 'POST', '/api/auth/wa/login', {
          body: { token: attempt.token, response: stranger.assert(attempt.options) },
        })
      ).status,
    ).toBe(401);

    // A challenge of alice's cannot be finished at bob's.
    const crossTenant = await loginChallenge();
    expect(
      (
        await call('bob.localhost', 'POST', '/api/auth/wa/login', {
          body: { token: crossTenant.token, response: alice.assert(crossTenant.options) },
        })
      ).status,
    ).toBe(401);
  });

  it('lets only the owner enrol or remove passkeys, and validates what it is sent', async () => {
    expect((await call('alice.localhost', 'GET', '/api/auth/wa/reg/challenge')).status).toBe(401);
    const bad = await call('alice.localhost', 'POST', '/api/auth/wa/reg', {
      token: ownerToken,
      body: { token: 'x', response: { id: 'not base64url!', type: 'public-key' } },
    });
    expect(bad.status).toBe(400);
    const challenge = data<{ options: { challenge: string }; token: string }>(
      await call('alice.localhost', 'GET', '/api/auth/wa/reg/challenge', { token: ownerToken }),
    );
    const wrongRp = new SoftAuthenticator('evil.example', 'https://alice.localhost');
    const refused = await call('alice.localhost', 'POST', '/api/auth/wa/reg', {
      token: ownerToken,
      body: { token: challenge.token, response: wrongRp.register(challenge.options) },
    });
    expect(refused.status).toBe(400);
    expect(
      (
        await call('alice.localhost', 'DELETE', `/api/auth/wa/reg/${alice.id}`, {
          token: ownerToken,
        })
      ).status,
    ).toBe(200);
    expect(
      data(await call('alice.localhost', 'GET', '/api/auth/wa/reg', { token: ownerToken })),
    ).toEqual([]);
  });
});
