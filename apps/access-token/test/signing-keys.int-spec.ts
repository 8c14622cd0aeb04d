import { createTenant, setTenantPassword } from '@cloudillo/contracts';
import { httpRequest, waitFor } from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
import { SigningKeys } from '../src/keys/signing-keys';
import { type AuthHarness, startTestAccessToken } from './auth-harness';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('access-token signing-key rotation, heard by every verifier', () => {
  let identity: IdentityHarness;
  let auth: AuthHarness;
  let now = Date.now();

  beforeAll(async () => {
    identity = await startTestIdentity({ baseIdTag: 'base.localhost' });
    auth = await startTestAccessToken({
      natsUrl: identity.nats.url,
      loginFailureDelayMs: 0,
      deps: { clock: () => new Date(now) },
    });
    await identity.rpc.request(createTenant, { idTag: 'alice.localhost' });
    await identity.rpc.request(setTenantPassword, {
      idTag: 'alice.localhost',
      password: 'long-password',
    });
  });

  afterAll(async () => {
    await auth?.close();
    await identity?.close();
  });

  const login = async () => {
    const res = await httpRequest({
      port: auth.port,
      method: 'POST',
      path: '/api/auth/login',
      headers: { Host: 'cl-o.alice.localhost', 'Content-Type': 'application/json' },
      body: JSON.stringify({ idTag: 'alice.localhost', password: 'long-password' }),
    });
    return (res.json as { data: { token: string } }).data.token;
  };
  const kidOf = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
  /** A protected identity route: identity verifies the token with the keys it was told about. */
  const atIdentity = (token: string) =>
    httpRequest({
      port: identity.port,
      path: '/api/me/full',
      headers: { Host: 'cl-o.alice.localhost', Authorization: `Bearer ${token}` },
    });

  it('signs with a new key once the old one is due; the old one verifies until it retires', async () => {
    const keys = auth.app.get(SigningKeys);
    const before = await login();
    expect((await atIdentity(before)).status).toBe(200);
    await expect(keys.rotateIfDue()).resolves.toBeUndefined(); // not due yet

    now += 31 * DAY_MS;
    const kid = await keys.rotateIfDue();
    expect(kid).toBeDefined();
    expect(kid).not.toBe(kidOf(before));
    const after = await login();
    expect(kidOf(after)).toBe(kid);
    // identity hears of the new key (event), and the old one still verifies.
    await waitFor(async () => (await atIdentity(after)).status === 200);
    expect((await atIdentity(before)).status).toBe(200);
    const published = await keys.published();
    expect(published.map((k) => k.kid)).toEqual([kid, kidOf(before)]);
    expect(published[1]!.retiresAt).toBeGreaterThan(Math.floor(now / 1000));

    // Past the retirement the old key is no longer published.
    now += 2 * 60 * 60 * 1000;
    expect((await keys.published()).map((k) => k.kid)).toEqual([kid]);
  });
});
