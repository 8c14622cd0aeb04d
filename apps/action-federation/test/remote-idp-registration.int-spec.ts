import { ContractClient, registerAtIdp, signWithTenantKey } from '@cloudillo/contracts';
import { dataOf, errorCodeOf, freePort } from '@cloudillo/testing';

import { type FederationStack, startFederationStack } from './federation-stack';

const IDP = 'idp.localhost';
const REGISTRAR = 'registrar.localhost';

/**
 * Protocol §1.5 between two deployments: a provider registers `carol.idp.localhost` at another
 * provider's identity provider — availability check, IDP:REG signed by the registrar's base tenant,
 * verified at the IdP against the registrar's published key, pending identity, tenant created here.
 */
describe('registration at a remote identity provider (two deployments on loopback)', () => {
  let idp: FederationStack;
  let registrar: FederationStack;

  beforeAll(async () => {
    const [idpPort, registrarPort] = [await freePort(), await freePort()];
    const at = (port: number) => `http://127.0.0.1:${port}`;
    idp = await startFederationStack({
      tenants: [],
      idpDomain: IDP,
      loginBase: true,
      gatewayPort: idpPort,
      peers: { [REGISTRAR]: at(registrarPort) },
    });
    registrar = await startFederationStack({
      tenants: [],
      baseIdTag: REGISTRAR,
      loginBase: true,
      gatewayPort: registrarPort,
      peers: { [IDP]: at(idpPort), [`*.${IDP}`]: at(idpPort) },
      identityProviders: [IDP],
    });
  });

  afterAll(async () => {
    await registrar?.close();
    await idp?.close();
  });

  it('registers through IDP:REG and creates the tenant; the IdP holds it pending for the registrar', async () => {
    const invite = dataOf<{ refId: string }>(
      await registrar.call(REGISTRAR, 'POST', '/api/refs', {
        token: registrar.tokens[REGISTRAR],
        body: { type: 'register', count: 1 },
      }),
    ).refId;
    const res = await registrar.call(REGISTRAR, 'POST', '/api/profiles/register', {
      body: { type: 'idp', idTag: `carol.${IDP}`, email: 'carol@example.com', token: invite },
    });
    expect([res.status, res.text]).toEqual([200, expect.any(String)]);
    expect((await registrar.call(`carol.${IDP}`, 'GET', '/api/me')).status).toBe(200);
    const record = await idp.call(IDP, 'GET', `/api/idp/identities/carol.${IDP}`, {
      token: idp.tokens[IDP],
    });
    expect(dataOf(record)).toMatchObject({
      idTag: `carol.${IDP}`,
      registrarIdTag: REGISTRAR,
      email: 'carol@example.com',
      status: 'pending',
    });
    // Taken now, at the IdP and here: a second registration is refused before any invite is used.
    const again = await registrar.call(REGISTRAR, 'POST', '/api/profiles/register', {
      body: { type: 'idp', idTag: `carol.${IDP}`, email: 'c2@example.com', token: invite },
    });
    expect(again.status).toBe(409);
  });

  it('a replayed IDP:REG token never runs the registration twice (issue 20)', async () => {
    const { token } = await registrar.identity.rpc.request(signWithTenantKey, {
      idTag: REGISTRAR,
      claims: {
        t: 'IDP:REG',
        aud: IDP,
        c: { idTag: `dave.${IDP}`, email: 'dave@example.com' },
        iat: Math.floor(Date.now() / 1000),
      },
    });
    const rpc = idp.federation.get(ContractClient);
    const request = jest.spyOn(rpc, 'request');
    try {
      const sync = () => idp.call(IDP, 'POST', '/api/inbox/sync', { body: { token } });
      expect((await sync()).status).toBe(200);
      const replay = await sync();
      expect([replay.status, errorCodeOf(replay)]).toEqual([409, 'E-CORE-CONFLICT']);
      const registrations = request.mock.calls.filter(([contract]) => contract === registerAtIdp);
      expect(registrations).toHaveLength(1);
    } finally {
      request.mockRestore();
    }
  });
});
