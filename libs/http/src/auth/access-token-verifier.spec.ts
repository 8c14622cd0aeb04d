import {
  accessTokenKeys,
  accessTokenKeysChanged,
  ContractClient,
  revokedSessions,
  type RpcTransport,
  sessionRevoked,
} from '@cloudillo/contracts';
import {
  generateAccessTokenKeyPair,
  importAccessTokenPrivateKey,
  signAccessToken,
} from '@cloudillo/crypto';

import { AccessTokenVerifier } from './access-token-verifier';

const NOW = 1_900_000_000;

/** An in-memory bus: requests answered by handlers, events delivered to subscribers. */
function bus(handlers: Record<string, () => unknown>) {
  const subscribers = new Map<string, ((payload: unknown) => void)[]>();
  const transport: RpcTransport = {
    async request(subject) {
      const handler = handlers[subject];
      if (!handler) throw new Error('no responders');
      return handler();
    },
    async publish(subject, payload) {
      for (const s of subscribers.get(subject) ?? []) s(payload);
    },
    subscribe(subject, onMessage) {
      subscribers.set(subject, [...(subscribers.get(subject) ?? []), onMessage]);
      return () => subscribers.set(subject, []);
    },
  };
  return new ContractClient(transport);
}

describe('AccessTokenVerifier', () => {
  let pair: Awaited<ReturnType<typeof generateAccessTokenKeyPair>>;
  let next: Awaited<ReturnType<typeof generateAccessTokenKeyPair>>;
  let published: { kid: string; publicKey: string }[];
  let revoked: { sid: string; until: number }[];
  let rpc: ContractClient;
  let verifier: AccessTokenVerifier;
  let listCalls: number;

  beforeAll(async () => {
    pair = await generateAccessTokenKeyPair();
    next = await generateAccessTokenKeyPair();
  });

  beforeEach(() => {
    published = [{ kid: 'k1', publicKey: pair.publicKey }];
    revoked = [{ sid: 'old', until: NOW + 100 }];
    listCalls = 0;
    rpc = bus({
      [accessTokenKeys.subject]: () => (listCalls++, { keys: published }),
      [revokedSessions.subject]: () => ({ sessions: revoked }),
    });
    verifier = new AccessTokenVerifier(rpc);
  });

  afterEach(() => verifier.onModuleDestroy());

  const token = (claims: Record<string, unknown>, kid = 'k1', key = pair.privateKey) =>
    signAccessToken(
      { iss: 'alice.example.com', iat: NOW, exp: NOW + 60, jti: 'j', ...claims },
      importAccessTokenPrivateKey(key),
      kid,
    );

  it('turns a valid token into the caller, roles and owner flag included', async () => {
    const auth = await verifier.verify(
      await token({ sub: 'alice.example.com', r: 'leader,SADM', sid: 's1' }),
      'alice.example.com',
      NOW,
    );
    expect(auth).toMatchObject({
      tenant: 'alice.example.com',
      subject: 'alice.example.com',
      owner: true,
      anonymous: false,
      sid: 's1',
    });
    expect([...auth.roles]).toEqual(['leader', 'SADM']);
    const anonymous = await verifier.verify(
      await token({ scope: 'file:f1~x:R' }),
      'alice.example.com',
      NOW,
    );
    expect(anonymous).toMatchObject({
      subject: 'alice.example.com',
      anonymous: true,
      owner: false,
      scope: 'file:f1~x:R',
    });
  });

  it.each([
    ['expired', { exp: NOW - 31 }, 'access token expired'],
    ['for another tenant', { iss: 'bob.example.com' }, 'issued for another tenant'],
    ['without jti', { jti: undefined }, 'claims are malformed'],
    ['of a revoked session', { sid: 'old' }, 'session was revoked'],
  ])('refuses a token %s with 401', async (_name, claims, message) => {
    await expect(
      verifier.verify(await token(claims), 'alice.example.com', NOW),
    ).rejects.toMatchObject({
      code: 'E-AUTH-UNAUTH',
      message: expect.stringContaining(message),
    });
  });

  it('forgets a revocation once every token of the session has expired', async () => {
    const late = NOW + 200;
    const t = await token({ sid: 'old', iat: late, exp: late + 60 });
    await expect(verifier.verify(t, 'alice.example.com', late)).resolves.toBeDefined();
  });

  it('revokes at once when the event arrives', async () => {
    const t = await token({ sid: 's2' });
    await expect(verifier.verify(t, 'alice.example.com', NOW)).resolves.toBeDefined();
    await rpc.publish(sessionRevoked, { sid: 's2', until: NOW + 60 });
    await expect(verifier.verify(t, 'alice.example.com', NOW)).rejects.toMatchObject({
      message: 'session was revoked',
    });
  });

  it('learns rotated keys from the event, and asks again for an unknown kid', async () => {
    const rotated = await token({}, 'k2', next.privateKey);
    await expect(verifier.verify(rotated, 'alice.example.com', NOW)).rejects.toMatchObject({
      code: 'E-AUTH-UNAUTH',
    });
    await rpc.publish(accessTokenKeysChanged, { keys: [{ kid: 'k2', publicKey: next.publicKey }] });
    await expect(verifier.verify(rotated, 'alice.example.com', NOW)).resolves.toBeDefined();

    const fresh = new AccessTokenVerifier(rpc);
    await fresh.verify(await token({}), 'alice.example.com', NOW);
    published = [
      { kid: 'k1', publicKey: pair.publicKey },
      { kid: 'k3', publicKey: next.publicKey },
    ];
    const calls = listCalls;
    await new Promise((resolve) => setTimeout(resolve, 1_050)); // past the refresh throttle
    await expect(
      fresh.verify(await token({}, 'k3', next.privateKey), 'alice.example.com', NOW),
    ).resolves.toBeDefined();
    expect(listCalls).toBe(calls + 1);
    fresh.onModuleDestroy();
  });

  it('is unavailable (503) while the access-token service does not answer, then recovers', async () => {
    let up = false;
    const flaky = bus({
      [accessTokenKeys.subject]: () => {
        if (!up) throw new Error('no responders');
        return { keys: published };
      },
      [revokedSessions.subject]: () => ({ sessions: [] }),
    });
    const v = new AccessTokenVerifier(flaky);
    const t = await token({});
    await expect(v.verify(t, 'alice.example.com', NOW)).rejects.toMatchObject({
      code: 'E-SYS-UNAVAIL',
    });
    up = true;
    await expect(v.verify(t, 'alice.example.com', NOW)).resolves.toBeDefined();
    v.onModuleDestroy();
  });

  it('refuses what is not an access token before asking for keys', async () => {
    await expect(verifier.verify('not.a.token', 'alice.example.com', NOW)).rejects.toMatchObject({
      code: 'E-AUTH-UNAUTH',
    });
    expect(listCalls).toBe(0);
  });
});
