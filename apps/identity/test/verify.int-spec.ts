import { createServer, type Server } from 'node:http';

import { httpRequest } from '@cloudillo/testing';

import { TenantsService } from '../src/tenants/tenants.service';
import { startDnsServer } from './dns-server';
import { type IdentityHarness, startTestIdentity } from './identity-harness';

const OURS = '203.0.113.10';

describe('POST /api/profiles/verify against a real DNS server (protocol §1.1, §1.5)', () => {
  let h: IdentityHarness;
  let dns: { server: string; close(): Promise<void> };
  let remoteIdp: Server;

  beforeAll(async () => {
    dns = await startDnsServer({
      a: {
        'cl-o.good.example': [OURS],
        'good.example': [OURS],
        'www.good.example': [OURS],
        'cl-o.wrong.example': ['198.51.100.7'],
        'wrong.example': [OURS],
        'ingress.provider.example': [OURS],
      },
      cname: { 'cl-o.alias.example': 'ingress.provider.example' },
    });
    remoteIdp = createServer((req, res) => {
      const available = !(req.url ?? '').includes('carol');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { available, idTag: 'x' } }));
    });
    await new Promise<void>((resolve) => remoteIdp.listen(0, '127.0.0.1', resolve));
    h = await startTestIdentity({
      baseIdTag: 'idp.localhost',
      idp: { domain: 'idp.localhost', name: 'Local IdP', info: '' },
      registration: {
        addresses: [OURS, 'ingress.provider.example'],
        identityProviders: ['idp.localhost', 'remote-idp.localhost'],
        dnsServers: [dns.server],
      },
      peers: {
        'remote-idp.localhost': `http://127.0.0.1:${(remoteIdp.address() as { port: number }).port}`,
      },
    });
    await h.app
      .get(TenantsService)
      .ensureTenant({ idTag: 'taken.idp.localhost', name: 'T', type: 'person', roles: [] });
  });

  afterAll(async () => {
    await h?.close();
    await dns?.close();
    remoteIdp?.close();
  });

  const verify = async (body: unknown) => {
    const res = await httpRequest({
      port: h.port,
      path: '/api/profiles/verify',
      method: 'POST',
      headers: { Host: 'cl-o.idp.localhost', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: res.json as { data?: Record<string, unknown>; error?: { code: string } },
    };
  };
  const base = {
    address: [OURS, 'ingress.provider.example'],
    identityProviders: ['idp.localhost', 'remote-idp.localhost'],
  };

  it('accepts a domain whose API and app names point at this provider', async () => {
    expect(await verify({ type: 'domain', idTag: 'good.example' })).toEqual({
      status: 200,
      body: expect.objectContaining({
        data: {
          ...base,
          idTagError: '',
          apiAddress: OURS,
          apiAddressType: 'ipv4',
          appDomainError: '',
          appAddress: OURS,
          appAddressType: 'ipv4',
        },
      }),
    });
    const withApp = await verify({
      type: 'domain',
      idTag: 'good.example',
      appDomain: 'www.good.example',
    });
    expect(withApp.body.data).toMatchObject({ idTagError: '', appDomainError: '' });
  });

  it('accepts an API name that is an alias (CNAME) of the provider host', async () => {
    const { body } = await verify({
      type: 'domain',
      idTag: 'alias.example',
      appDomain: 'www.good.example',
    });
    expect(body.data).toMatchObject({
      idTagError: '',
      apiAddress: 'ingress.provider.example',
      apiAddressType: 'hostname',
    });
  });

  it.each([
    [
      'a name pointing elsewhere',
      { type: 'domain', idTag: 'wrong.example' },
      { idTagError: 'address', appDomainError: '' },
    ],
    [
      'names with no DNS records',
      { type: 'domain', idTag: 'none.example' },
      { idTagError: 'nodns', appDomainError: 'nodns' },
    ],
    ['an invalid id_tag', { type: 'domain', idTag: 'Bad_Name.example' }, { idTagError: 'invalid' }],
    [
      'an invalid app domain',
      { type: 'domain', idTag: 'good.example', appDomain: 'a@b' },
      { idTagError: '', appDomainError: 'invalid' },
    ],
    [
      'an id_tag already served here',
      { type: 'domain', idTag: 'idp.localhost' },
      { idTagError: 'used' },
    ],
    [
      'a free name under this IdP',
      { type: 'idp', idTag: 'alice.idp.localhost' },
      { idTagError: '' },
    ],
    [
      'a taken name under this IdP',
      { type: 'idp', idTag: 'taken.idp.localhost' },
      { idTagError: 'used' },
    ],
    [
      'a name under an untrusted IdP',
      { type: 'idp', idTag: 'bob.unknown.localhost' },
      { idTagError: 'invalid' },
    ],
    [
      'a name the remote IdP has given away',
      { type: 'idp', idTag: 'carol.remote-idp.localhost' },
      { idTagError: 'used' },
    ],
    [
      'a name free at the remote IdP',
      { type: 'idp', idTag: 'dave.remote-idp.localhost' },
      { idTagError: '' },
    ],
  ])('reports %s', async (_name, body, expected) => {
    const res = await verify(body);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ ...base, ...expected });
  });

  it.each([
    {},
    { type: 'domain' },
    { type: 'magic', idTag: 'good.example' },
    { type: 'domain', idTag: 42 },
  ])('refuses a malformed body %p with 400', async (body) => {
    const res = await verify(body);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('E-VAL-INVALID');
  });
});
