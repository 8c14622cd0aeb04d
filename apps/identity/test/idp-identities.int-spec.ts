import { createTenant, registerAtIdp, setTenantPassword } from '@cloudillo/contracts';
import { httpRequest, type HttpResult, apiClient } from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { type AuthHarness, startTestAccessToken } from '../../access-token/test/auth-harness';
import { IdpService } from '../src/idp/idp.service';
import { type IdentityHarness, startTestIdentity } from './identity-harness';

const IDP = 'idp.localhost';
const HOUR = 60 * 60 * 1000;

describe('identity provider: registrations, activation, keys, quotas, expiry (protocol §1.5)', () => {
  let identity: IdentityHarness;
  let auth: AuthHarness;
  let now = new Date('2026-06-01T00:00:00Z');
  const tokens: Record<string, string> = {};

  const call = apiClient(() => identity.port);
  const data = <T>(res: HttpResult) => (res.json as { data: T }).data;
  const register = (
    idTag: string,
    registrarIdTag = 'node.example.com',
    extra: Record<string, unknown> = {},
  ) =>
    identity.rpc.request(registerAtIdp, {
      registrarIdTag,
      registrarAddress: '198.51.100.4',
      content: { idTag, email: `${idTag.split('.')[0]}@example.com`, ...extra },
    });

  beforeAll(async () => {
    identity = await startTestIdentity({
      baseIdTag: IDP,
      idp: {
        domain: IDP,
        name: 'Local IdP',
        info: 'tests',
        quota: { maxIdentities: 50, maxStorageBytes: 1e9 },
      },
      deps: { clock: () => now },
    });
    auth = await startTestAccessToken({ natsUrl: identity.nats.url, loginFailureDelayMs: 0 });
    await identity.rpc.request(createTenant, { idTag: 'other.localhost' });
    for (const idTag of [IDP, 'other.localhost']) {
      await identity.rpc.request(setTenantPassword, { idTag, password: 'long-password' });
      const res = await httpRequest({
        port: auth.port,
        method: 'POST',
        path: '/api/auth/login',
        headers: { Host: `cl-o.${idTag}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ idTag, password: 'long-password' }),
      });
      tokens[idTag] = data<{ token: string }>(res).token;
    }
  });

  afterAll(async () => {
    await auth?.close();
    await identity?.close();
  });

  it('registers through the IDP:REG hook as pending, then activates with the code once', async () => {
    const result = await register('alice.idp.localhost', 'node.example.com', { address: 'auto' });
    expect(result).toEqual({
      success: true,
      message: 'pending activation',
      identityStatus: 'pending',
      activationRef: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      apiKey: expect.stringMatching(/^idp_[A-Za-z0-9_-]{43}$/),
    });
    const availability = await call(
      IDP,
      'GET',
      '/api/idp/check-availability?idTag=alice.idp.localhost',
    );
    expect(data(availability)).toEqual({ available: false, idTag: 'alice.idp.localhost' });
    const view = data(
      await call(IDP, 'GET', '/api/idp/identities/alice.idp.localhost', { token: tokens[IDP] }),
    );
    expect(view).toMatchObject({
      idTag: 'alice.idp.localhost',
      email: 'alice@example.com',
      registrarIdTag: 'node.example.com',
      address: '198.51.100.4',
      status: 'pending',
      dyndns: false,
      expiresAt: new Date(now.getTime() + 24 * HOUR).toISOString(),
    });
    const activated = await call(IDP, 'POST', '/api/idp/activate', {
      body: { refId: result.activationRef },
    });
    expect(data(activated)).toEqual({ idTag: 'alice.idp.localhost', status: 'active' });
    const again = await call(IDP, 'POST', '/api/idp/activate', {
      body: { refId: result.activationRef },
    });
    expect(again.status).toBe(410);
  });

  it('refuses what is not ours, what is taken and malformed addresses, writing nothing', async () => {
    await expect(register('bob.other.localhost')).resolves.toMatchObject({ success: false });
    await expect(register('a.b.idp.localhost')).resolves.toMatchObject({ success: false });
    await expect(register('alice.idp.localhost')).resolves.toEqual({
      success: false,
      message: 'alice.idp.localhost is taken',
    });
    await expect(
      register('carl.idp.localhost', 'node.example.com', { address: 'not an address!' }),
    ).resolves.toMatchObject({
      success: false,
    });
    expect(
      data(await call(IDP, 'GET', '/api/idp/check-availability?idTag=carl.idp.localhost')),
    ).toMatchObject({
      available: true,
    });
    await expect(
      identity.rpc.request(registerAtIdp, {
        registrarIdTag: 'Bad_Tag',
        content: { idTag: 'x.idp.localhost' },
      }),
    ).rejects.toMatchObject({ code: 'E-VAL-INVALID' });
  });

  it('keeps registrars to their quota, even when they register in parallel', async () => {
    const quota = await call(IDP, 'PUT', '/api/idp/registrars/busy.example.com', {
      token: tokens[IDP],
      body: { maxIdentities: 2, maxStorageBytes: 1000 },
    });
    expect(data(quota)).toEqual({
      registrarIdTag: 'busy.example.com',
      maxIdentities: 2,
      maxStorageBytes: 1000,
      identities: 0,
    });
    const results = await Promise.all(
      ['q1', 'q2', 'q3', 'q4', 'q5'].map((p) => register(`${p}.idp.localhost`, 'busy.example.com')),
    );
    expect(results.filter((r) => r.success)).toHaveLength(2);
    expect(results.filter((r) => !r.success).map((r) => r.message)).toEqual(
      Array(3).fill('busy.example.com has used its quota of 2 identities'),
    );
  });

  it('lets an identity’s idp_ key (and only its own) update its address', async () => {
    const dave = await register('dave.idp.localhost');
    const erin = await register('erin.idp.localhost');
    const set = (who: string, bearer?: string, address = '203.0.113.10,2001:db8::10') =>
      call(IDP, 'PUT', `/api/idp/identities/${who}/address`, {
        ...(bearer ? { token: bearer } : {}),
        body: { address },
      });
    const ok = await set('dave.idp.localhost', dave.apiKey);
    expect(ok.status).toBe(200);
    expect(data(ok)).toMatchObject({
      address: '203.0.113.10,2001:db8::10',
      addressUpdatedAt: now.toISOString(),
    });
    expect((await set('dave.idp.localhost', erin.apiKey)).status).toBe(403);
    expect((await set('dave.idp.localhost')).status).toBe(401);
    expect((await set('dave.idp.localhost', 'idp_forged')).status).toBe(403);
    expect((await set('dave.idp.localhost', dave.apiKey, 'no way!')).status).toBe(400);
  });

  it('lets the IdP’s leaders manage identities and keys; nobody else', async () => {
    const created = await call(IDP, 'POST', '/api/idp/identities', {
      token: tokens[IDP],
      body: { idTag: 'frank.idp.localhost', email: 'frank@example.com' },
    });
    expect(created.status).toBe(201);
    expect(data(created)).toMatchObject({
      idTag: 'frank.idp.localhost',
      status: 'active',
      registrarIdTag: IDP,
      apiKey: expect.stringMatching(/^idp_/),
    });
    const suspended = await call(IDP, 'PATCH', '/api/idp/identities/frank.idp.localhost', {
      token: tokens[IDP],
      body: { status: 'suspended', dyndns: true },
    });
    expect(data(suspended)).toMatchObject({ status: 'suspended', dyndns: true });
    const key = await call(IDP, 'POST', '/api/idp/api-keys', {
      token: tokens[IDP],
      body: { idTag: 'frank.idp.localhost', name: 'router' },
    });
    const { apiKey } = data<{ apiKey: { id: number; keyPrefix: string } }>(key);
    expect(apiKey.keyPrefix).toMatch(/^idp_.{8}$/);
    const keys = await call(IDP, 'GET', '/api/idp/api-keys?idTag=frank.idp.localhost', {
      token: tokens[IDP],
    });
    expect(data<unknown[]>(keys)).toHaveLength(2);
    expect(
      (await call(IDP, 'DELETE', `/api/idp/api-keys/${apiKey.id}`, { token: tokens[IDP] })).status,
    ).toBe(200);
    const page = await call(IDP, 'GET', '/api/idp/identities?limit=2&status=active', {
      token: tokens[IDP],
    });
    expect(data<{ status: string }[]>(page).every((i) => i.status === 'active')).toBe(true);
    expect(
      (
        await call(IDP, 'DELETE', '/api/idp/identities/frank.idp.localhost', {
          token: tokens[IDP],
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(IDP, 'GET', '/api/idp/identities/frank.idp.localhost', { token: tokens[IDP] }))
        .status,
    ).toBe(404);

    expect(
      (await call(IDP, 'GET', '/api/idp/identities', { token: tokens['other.localhost'] })).status,
    ).toBe(401);
    expect(
      (
        await call('other.localhost', 'GET', '/api/idp/identities', {
          token: tokens['other.localhost'],
        })
      ).status,
    ).toBe(404);
    expect((await call(IDP, 'GET', '/api/idp/identities')).status).toBe(401);
  });

  it('gives a pending identity a new code and window, and deletes it once that passes unused', async () => {
    const gina = await register('gina.idp.localhost');
    const resent = await call(IDP, 'POST', '/api/idp/identities/gina.idp.localhost/resend', {
      token: tokens[IDP],
    });
    const { activationRef } = data<{ activationRef: string }>(resent);
    expect(activationRef).not.toBe(gina.activationRef);
    expect(
      (await call(IDP, 'POST', '/api/idp/activate', { body: { refId: gina.activationRef } }))
        .status,
    ).toBe(410);
    now = new Date(now.getTime() + 25 * HOUR);
    expect(
      (await call(IDP, 'POST', '/api/idp/activate', { body: { refId: activationRef } })).status,
    ).toBe(410);
    const deleted = await identity.app.get(IdpService).deleteExpired();
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(
      (await call(IDP, 'GET', '/api/idp/identities/gina.idp.localhost', { token: tokens[IDP] }))
        .status,
    ).toBe(404);
    // The activated one stays.
    expect(
      (await call(IDP, 'GET', '/api/idp/identities/alice.idp.localhost', { token: tokens[IDP] }))
        .status,
    ).toBe(200);
  });
});
