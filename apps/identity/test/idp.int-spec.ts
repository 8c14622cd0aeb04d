import { httpRequest } from '@cloudillo/testing';

import { TenantsService } from '../src/tenants/tenants.service';
import { type IdentityHarness, startTestIdentity } from './identity-harness';

describe('identity provider role: public routes (protocol §1.5)', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await startTestIdentity({
      baseIdTag: 'idp.localhost',
      idp: {
        domain: 'idp.localhost',
        name: 'Local IdP',
        info: 'identities for tests',
        url: 'https://idp.localhost',
      },
    });
    await h.app
      .get(TenantsService)
      .ensureTenant({ idTag: 'taken.idp.localhost', name: 'T', type: 'person', roles: [] });
    await h.app
      .get(TenantsService)
      .ensureTenant({ idTag: 'other.localhost', name: 'O', type: 'person', roles: [] });
  });

  afterAll(() => h?.close());

  const get = (host: string, path: string) =>
    httpRequest({ port: h.port, path, headers: { Host: host } });

  it('describes itself at its own API host', async () => {
    const res = await get('cl-o.idp.localhost', '/api/idp/info');
    expect(res.json).toMatchObject({
      data: {
        domain: 'idp.localhost',
        name: 'Local IdP',
        info: 'identities for tests',
        url: 'https://idp.localhost',
      },
    });
  });

  it('answers availability of one-label identities under its domain', async () => {
    const check = async (idTag: string) =>
      (
        await get(
          'cl-o.idp.localhost',
          `/api/idp/check-availability?idTag=${encodeURIComponent(idTag)}`,
        )
      ).json;
    expect(await check('alice.idp.localhost')).toMatchObject({
      data: { available: true, idTag: 'alice.idp.localhost' },
    });
    expect(await check('taken.idp.localhost')).toMatchObject({ data: { available: false } });
  });

  it.each([
    ['another domain', 'alice.example.com'],
    ['two labels deep', 'a.b.idp.localhost'],
    ['the domain itself', 'idp.localhost'],
    ['an invalid id_tag', 'Alice.idp.localhost'],
    ['an underscore', 'a_b.idp.localhost'],
  ])('refuses %s with 400 E-VAL-INVALID', async (_name, idTag) => {
    const res = await get(
      'cl-o.idp.localhost',
      `/api/idp/check-availability?idTag=${encodeURIComponent(idTag)}`,
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'E-VAL-INVALID' } });
  });

  it('has no IdP routes at other tenants', async () => {
    const res = await get('cl-o.other.localhost', '/api/idp/info');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'E-CORE-NOTFOUND' } });
    expect((await get('cl-o.idp.localhost', '/api/idp/check-availability')).status).toBe(400);
  });
});
