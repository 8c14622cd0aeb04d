import { type IncomingMessage } from 'node:http';

import {
  signTenantHeader,
  TENANT_HEADER,
  type TenantContext,
  TenantResolver,
} from '@cloudillo/tenancy';

import { RequestTenants, tenantOfRequest } from './request-tenants';

const SECRET = 'x'.repeat(32);
const alice: TenantContext = { idTag: 'alice.localhost', tnId: 7, status: 'A' };

function setup(tenants: Record<string, TenantContext>, secret: string | undefined = SECRET) {
  const asked: string[] = [];
  const resolver = new TenantResolver(async (idTag) => {
    asked.push(idTag);
    return tenants[idTag];
  });
  return { requests: new RequestTenants(resolver, secret), asked };
}

const request = (host: string, headers: Record<string, string> = {}) =>
  ({ headers: { host, ...headers } }) as unknown as IncomingMessage;
const now = () => Math.floor(Date.now() / 1000);

describe('RequestTenants', () => {
  it('resolves the Host’s tenant once and keeps it on the request', async () => {
    const { requests, asked } = setup({ 'alice.localhost': alice });
    const req = request('cl-o.alice.localhost:8080');
    await expect(requests.of(req)).resolves.toEqual(alice);
    await requests.of(req);
    expect(asked).toEqual(['alice.localhost']);
    expect(tenantOfRequest(req)).toEqual(alice);
  });

  it('takes the gateway’s signed header without resolving', async () => {
    const { requests, asked } = setup({ 'alice.localhost': alice });
    const req = request('cl-o.alice.localhost', {
      [TENANT_HEADER]: signTenantHeader(alice, SECRET, now()),
    });
    await expect(requests.of(req)).resolves.toEqual(alice);
    expect(asked).toEqual([]);
  });

  it('ignores a header that does not verify, or when it has no secret, and resolves instead', async () => {
    const forged = signTenantHeader({ ...alice, tnId: 99 }, 'y'.repeat(32), now());
    for (const secret of [SECRET, undefined]) {
      const { requests, asked } = setup({ 'alice.localhost': alice }, secret);
      const req = request('cl-o.alice.localhost', { [TENANT_HEADER]: forged });
      await expect(requests.of(req)).resolves.toEqual(alice);
      expect(asked).toEqual(['alice.localhost']);
    }
  });

  it('a header for another Host is not taken for this one', async () => {
    const { requests } = setup({ 'alice.localhost': alice });
    const bob = { idTag: 'bob.localhost', tnId: 8, status: 'A' } as const;
    const req = request('cl-o.alice.localhost', {
      [TENANT_HEADER]: signTenantHeader(bob, SECRET, now()),
    });
    await expect(requests.of(req)).resolves.toEqual(alice);
  });

  it('answers unknown 404 and suspended 503, from the header as from the resolver', async () => {
    const suspended = { ...alice, status: 'S' } as const;
    const { requests } = setup({ 'alice.localhost': suspended });
    await expect(requests.of(request('cl-o.nobody.localhost'))).rejects.toMatchObject({
      code: 'E-CORE-NOTFOUND',
    });
    await expect(requests.of(request('cl-o.alice.localhost'))).rejects.toMatchObject({
      code: 'E-SYS-UNAVAIL',
      status: 503,
    });
    const signed = request('cl-o.alice.localhost', {
      [TENANT_HEADER]: signTenantHeader(suspended, SECRET, now()),
    });
    await expect(requests.of(signed)).rejects.toMatchObject({ code: 'E-SYS-UNAVAIL' });
  });

  it('a Host that names no tenant has none (require: 404)', async () => {
    const { requests } = setup({});
    await expect(requests.of(request('app.example.com'))).resolves.toBeUndefined();
    await expect(requests.require(request('127.0.0.1:8080'))).rejects.toMatchObject({
      code: 'E-CORE-NOTFOUND',
    });
  });
});
