import { signWithTenantKey } from '@cloudillo/contracts';
import { dataOf, errorCodeOf } from '@cloudillo/testing';

import { type FederationStack, startFederationStack } from './federation-stack';

const IDP = 'idp.localhost';
const REGISTRAR = 'node.localhost';

/** `POST /api/inbox/sync` carrying `IDP:REG` to the identity provider's hook (protocol §1.5, §2.7). */
describe('IDP:REG through /api/inbox/sync', () => {
  let stack: FederationStack;

  beforeAll(async () => {
    stack = await startFederationStack({ tenants: [REGISTRAR], idpDomain: IDP });
  });

  afterAll(() => stack?.close());

  const now = () => Math.floor(Date.now() / 1000);
  const sign = async (claims: Record<string, unknown>) =>
    (await stack.identity.rpc.request(signWithTenantKey, { idTag: REGISTRAR, claims })).token;
  const sync = (token: string) => stack.call(IDP, 'POST', '/api/inbox/sync', { body: { token } });

  it('registers a pending identity at the IdP and answers with its activation code and key', async () => {
    const token = await sign({
      t: 'IDP:REG',
      aud: IDP,
      iat: now(),
      exp: now() + 30 * 86_400,
      c: { idTag: 'newbie.idp.localhost', email: 'newbie@example.com', address: '203.0.113.5' },
    });
    const res = await sync(token);
    expect(res.status).toBe(200);
    expect(dataOf(res)).toEqual({
      success: true,
      message: 'pending activation',
      identityStatus: 'pending',
      activationRef: expect.any(String),
      apiKey: expect.stringMatching(/^idp_/),
    });
    // The same token again is not a second identity: a replay never reaches the IdP (issue 20).
    const replay = await sync(token);
    expect([replay.status, errorCodeOf(replay)]).toEqual([409, 'E-CORE-CONFLICT']);
  });

  it('refuses other types (400), a forged token (403) and a registration for another IdP (400)', async () => {
    expect((await sync(await sign({ t: 'FLLW', aud: IDP, iat: now() }))).status).toBe(400);
    const valid = await sign({
      t: 'IDP:REG',
      aud: IDP,
      iat: now(),
      c: { idTag: 'forged.idp.localhost' },
    });
    const [h, , s] = valid.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(
      JSON.stringify({
        iss: REGISTRAR,
        k: 'x',
        t: 'IDP:REG',
        aud: IDP,
        iat: now(),
        c: { idTag: 'forged.idp.localhost' },
      }),
    ).toString('base64url');
    const forged = await sync(`${h}.${forgedPayload}.${s}`);
    expect(forged.status).toBe(403);
    expect(errorCodeOf(forged)).toBe('E-AUTH-NOPERM');
    const elsewhere = await sync(
      await sign({
        t: 'IDP:REG',
        aud: 'other-idp.localhost',
        iat: now(),
        c: { idTag: 'x.other-idp.localhost' },
      }),
    );
    expect(elsewhere.status).toBe(400);
  });
});
