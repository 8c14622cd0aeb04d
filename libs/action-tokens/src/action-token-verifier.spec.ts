import { ContractClient, resolveKey, type RpcTransport } from '@cloudillo/contracts';
import {
  generateAccessTokenKeyPair,
  generateKeyPair,
  importAccessTokenPrivateKey,
  importPrivateKey,
  signAccessToken,
  signJwt,
} from '@cloudillo/crypto';
import { NotFoundError, UnavailableError } from '@cloudillo/protocol';

import { ActionTokenVerifier } from './action-token-verifier';

const NOW = 1_700_000_000;

describe('ActionTokenVerifier', () => {
  let current: Awaited<ReturnType<typeof generateKeyPair>>;
  let stale: Awaited<ReturnType<typeof generateKeyPair>>;
  let answer: (refresh: boolean) => string;
  let calls: boolean[];
  let verifier: ActionTokenVerifier;

  beforeAll(async () => {
    current = await generateKeyPair();
    stale = await generateKeyPair();
  });

  beforeEach(() => {
    calls = [];
    answer = () => current.publicKey;
    const transport: RpcTransport = {
      async request(subject, payload) {
        expect(subject).toBe(resolveKey.subject);
        const { refresh } = payload as { refresh: boolean };
        calls.push(refresh);
        return { publicKey: answer(refresh) };
      },
      publish: async () => undefined,
      subscribe: () => () => undefined,
    };
    verifier = new ActionTokenVerifier(new ContractClient(transport));
  });

  const proxy = (claims: Record<string, unknown> = {}, key = current.privateKey) =>
    signJwt(
      {
        iss: 'alice.example.com',
        k: '260101',
        t: 'PROXY',
        aud: 'bob.example.com',
        iat: NOW,
        exp: NOW + 60,
        ...claims,
      },
      importPrivateKey(key),
    );

  it('returns the claims of a token signed with the issuer’s published key', async () => {
    await expect(verifier.verify(await proxy(), { now: NOW })).resolves.toMatchObject({
      iss: 'alice.example.com',
      t: 'PROXY',
      aud: 'bob.example.com',
    });
    expect(calls).toEqual([false]);
  });

  it('keeps imported keys for a while: the same issuer’s next token costs no request', async () => {
    await verifier.verify(await proxy(), { now: NOW });
    await verifier.verify(await proxy({ aud: 'carol.example.com' }), { now: NOW });
    expect(calls).toEqual([false]);
  });

  it('asks again once the cached key is old, and holds at most keyCacheSize keys', async () => {
    const transport: RpcTransport = {
      request: async (_subject, payload) => {
        calls.push((payload as { refresh: boolean }).refresh);
        return { publicKey: current.publicKey };
      },
      publish: async () => undefined,
      subscribe: () => () => undefined,
    };
    const expiring = new ActionTokenVerifier(new ContractClient(transport), { keyCacheMs: -1 });
    await expiring.verify(await proxy(), { now: NOW });
    await expiring.verify(await proxy(), { now: NOW });
    expect(calls).toEqual([false, false]);
    calls = [];
    const small = new ActionTokenVerifier(new ContractClient(transport), { keyCacheSize: 1 });
    for (const iss of ['alice.example.com', 'bob.example.com', 'alice.example.com']) {
      await small.verify(await proxy({ iss }), { now: NOW });
    }
    expect(calls).toEqual([false, false, false]);
  });

  it('fetches the key once more when the cached one does not verify (a rotation)', async () => {
    answer = (refresh) => (refresh ? current.publicKey : stale.publicKey);
    await expect(verifier.verify(await proxy(), { now: NOW })).resolves.toBeDefined();
    expect(calls).toEqual([false, true]);
  });

  it('refuses a signature that fails even against a fresh key', async () => {
    await expect(
      verifier.verify(await proxy({}, stale.privateKey), { now: NOW }),
    ).rejects.toMatchObject({
      code: 'E-AUTH-UNAUTH',
    });
    expect(calls).toEqual([false, true]);
  });

  it.each([
    ['an expired token', { exp: NOW - 120 }, 'expired'],
    ['malformed claims', { t: 'lowercase' }, 'malformed'],
  ])('refuses %s with 401', async (_name, claims, message) => {
    await expect(verifier.verify(await proxy(claims), { now: NOW })).rejects.toMatchObject({
      code: 'E-AUTH-UNAUTH',
      message: expect.stringContaining(message),
    });
  });

  it('verifies a token carrying a claim this version does not know, and leaves it out', async () => {
    const claims = await verifier.verify(await proxy({ extra: 1 }), { now: NOW });
    expect(claims).toMatchObject({ iss: 'alice.example.com', t: 'PROXY' });
    expect(claims).not.toHaveProperty('extra');
  });

  it('verifies with a retired key what it signed before it was retired, nothing after', async () => {
    answer = () => current.publicKey;
    const retired = new ActionTokenVerifier(
      new ContractClient({
        request: async () => ({
          publicKey: current.publicKey,
          expiresAt: new Date((NOW - 3600) * 1000).toISOString(),
        }),
        publish: async () => undefined,
        subscribe: () => () => undefined,
      }),
    );
    const twoYearsOld = await proxy({ iat: NOW - 2 * 365 * 86_400, exp: undefined });
    await expect(retired.verify(twoYearsOld, { now: NOW })).resolves.toBeDefined();
    await expect(
      retired.verify(await proxy({ iat: NOW - 60 }), { now: NOW, clockSkewSeconds: 300 }),
    ).rejects.toMatchObject({ code: 'E-AUTH-UNAUTH', message: expect.stringContaining('retired') });
  });

  it('refuses what is not an action token: garbage, alg none, an access token', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ iss: 'alice.example.com', k: '1', t: 'PROXY', iat: NOW }),
    ).toString('base64url')}.`;
    const at = await generateAccessTokenKeyPair();
    const access = await signAccessToken(
      { iss: 'alice.example.com', k: '1', t: 'PROXY', iat: NOW },
      importAccessTokenPrivateKey(at.privateKey),
      'k',
    );
    for (const token of ['garbage', none, access]) {
      await expect(verifier.verify(token, { now: NOW })).rejects.toMatchObject({
        code: 'E-AUTH-UNAUTH',
      });
    }
  });

  it('maps an unpublished key to 401 and an unreachable issuer to 503', async () => {
    answer = () => {
      throw new NotFoundError('no key');
    };
    const failing = (error: Error) =>
      new ActionTokenVerifier(
        new ContractClient({
          request: () => Promise.reject(error),
          publish: async () => undefined,
          subscribe: () => () => undefined,
        }),
      );
    const token = await proxy();
    await expect(
      failing(new NotFoundError('none')).verify(token, { now: NOW }),
    ).rejects.toMatchObject({
      code: 'E-AUTH-UNAUTH',
    });
    await expect(
      failing(new UnavailableError('down')).verify(token, { now: NOW }),
    ).rejects.toMatchObject({
      code: 'E-SYS-UNAVAIL',
    });
    await expect(
      failing(new Error('socket hang up')).verify(token, { now: NOW }),
    ).rejects.toMatchObject({
      code: 'E-SYS-UNAVAIL',
    });
  });
});
