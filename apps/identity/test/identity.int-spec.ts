import { type INestApplication } from '@nestjs/common';
import {
  type ContractClient,
  createTenant,
  purgeTenant,
  resolveTenant,
  tenantPurged,
} from '@cloudillo/contracts';
import { importPublicKey } from '@cloudillo/crypto';
import { httpRequest, waitFor } from '@cloudillo/testing';
import { Client } from 'pg';

import { type IdentityConfig } from '../src/config';
import { startIdentity } from '../src/identity-app';
import { TenantAdminService } from '../src/tenants/tenant-admin.service';
import { TenantsService } from '../src/tenants/tenants.service';
import { type IdentityHarness, startTestIdentity } from './identity-harness';

const FIXED_NOW = new Date('2026-03-04T05:06:07Z');

describe('identity service (real Postgres and NATS)', () => {
  let h: IdentityHarness;
  let app: INestApplication;
  let port: number;
  let rpc: ContractClient;
  let config: IdentityConfig;
  let schema: { schema: string };

  beforeAll(async () => {
    h = await startTestIdentity({ baseIdTag: 'base.localhost', deps: { clock: () => FIXED_NOW } });
    ({ app, port, rpc, config, schema } = h);
    await app
      .get(TenantsService)
      .ensureTenant({ idTag: 'other.localhost', name: 'Other', type: 'community', roles: [] });
  });

  afterAll(() => h?.close());

  const me = (host: string, headers: Record<string, string> = {}) =>
    httpRequest({ port, path: '/api/me', headers: { Host: host, ...headers } });

  it('creates the base tenant with a P-384 key at startup and serves /api/me in the reference shape', async () => {
    const res = await me('cl-o.base.localhost:8080', { 'X-Request-ID': 'abc' });
    expect(res.status).toBe(200);
    const body = res.json as {
      data: { keys: { keyId: string; publicKey: string }[] };
      time: string;
      reqId: string;
    };
    expect(body).toEqual({
      data: {
        idTag: 'base.localhost',
        name: 'Base',
        type: 'person',
        keys: [{ keyId: '260304', publicKey: expect.any(String) }],
      },
      time: expect.any(String),
      reqId: 'abc',
    });
    expect(importPublicKey(body.data.keys[0]!.publicKey).asymmetricKeyDetails?.namedCurve).toBe(
      'secp384r1',
    );
  });

  it('serves each tenant its own profile and keys only', async () => {
    const base = (await me('cl-o.base.localhost')).json as {
      data: { keys: { publicKey: string }[] };
    };
    const other = (await me('cl-o.other.localhost')).json as {
      data: { idTag: string; type: string; keys: { publicKey: string }[] };
    };
    expect(other.data).toMatchObject({ idTag: 'other.localhost', type: 'community' });
    expect(other.data.keys).toHaveLength(1);
    expect(other.data.keys[0]!.publicKey).not.toBe(base.data.keys[0]!.publicKey);
  });

  it('answers a matching If-None-Match with 304 and a strong ETag', async () => {
    const first = await me('cl-o.base.localhost');
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{11}"$/);
    const again = await me('cl-o.base.localhost', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect((await me('cl-o.other.localhost', { 'If-None-Match': etag })).status).toBe(200);
  });

  it('answers 404 E-CORE-NOTFOUND for unknown tenants and non-API hosts', async () => {
    for (const host of [
      'cl-o.nobody.localhost',
      'base.localhost',
      'cl-o.bad_name.localhost',
      '127.0.0.1',
    ]) {
      const res = await me(host);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ error: { code: 'E-CORE-NOTFOUND' } });
    }
  });

  it('resolves tenants over NATS (identity.tenant.resolve.v1)', async () => {
    await expect(rpc.request(resolveTenant, { idTag: 'other.localhost' })).resolves.toMatchObject({
      idTag: 'other.localhost',
      type: 'community',
      status: 'A',
    });
    await expect(rpc.request(resolveTenant, { idTag: 'nobody.localhost' })).rejects.toMatchObject({
      code: 'E-CORE-NOTFOUND',
    });
  });

  it('keeps the base tenant and its key across restarts and racing replicas', async () => {
    const before = ((await me('cl-o.base.localhost')).json as { data: unknown }).data;
    const replicas = await Promise.all(
      [1, 2].map(() => startIdentity({ ...config }, { logger: false })),
    );
    await Promise.all(replicas.map((r) => r.close()));
    const tenants = app.get(TenantsService);
    await Promise.all(
      [1, 2, 3].map(() =>
        tenants.ensureTenant({ idTag: 'race.localhost', name: 'R', type: 'person', roles: [] }),
      ),
    );
    expect(((await me('cl-o.base.localhost')).json as { data: unknown }).data).toEqual(before);
    expect(
      ((await me('cl-o.race.localhost')).json as { data: { keys: unknown[] } }).data.keys,
    ).toHaveLength(1);
  });

  it('serves the app-domain discovery document and /api/me/app-domain', async () => {
    const pg = new Client({ connectionString: config.databaseUrl });
    await pg.connect();
    await pg.query(
      `update "${schema.schema}".tenants set app_domain = 'www.other.example' where id_tag = 'other.localhost'`,
    );
    await pg.end();
    const wellKnown = (host: string) =>
      httpRequest({ port, path: '/.well-known/cloudillo/id-tag', headers: { Host: host } });
    expect((await wellKnown('base.localhost')).json).toEqual({ idTag: 'base.localhost' });
    expect((await wellKnown('WWW.Other.Example:443')).json).toEqual({ idTag: 'other.localhost' });
    for (const host of ['cl-o.base.localhost', 'unknown.example', 'other.localhost.evil']) {
      const res = await wellKnown(host);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ error: { code: 'E-CORE-NOTFOUND' } });
    }
    const appDomain = (idTag: string) =>
      httpRequest({ port, path: '/api/me/app-domain', headers: { Host: `cl-o.${idTag}` } });
    expect((await appDomain('base.localhost')).json).toMatchObject({
      data: { appDomain: 'base.localhost' },
    });
    expect((await appDomain('other.localhost')).json).toMatchObject({
      data: { appDomain: 'www.other.example' },
    });
  });

  it('reports readiness from Postgres and NATS', async () => {
    const res = await httpRequest({ port, path: '/ready' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      data: { status: 'ready', checks: { postgres: true, nats: true } },
    });
  });

  it('announces a purge, and announces it again until every service must have heard it', async () => {
    const heard: unknown[] = [];
    const stop = rpc.subscribe(tenantPurged, (event) => heard.push(event));
    try {
      await rpc.request(createTenant, { idTag: 'purged.localhost' });
      const { tnId } = await rpc.request(purgeTenant, { idTag: 'purged.localhost' });
      await waitFor(async () => heard.length === 1);
      await expect(app.get(TenantAdminService).reannouncePurges()).resolves.toBe(1);
      await waitFor(async () => heard.length === 2);
      expect(heard).toEqual([
        { idTag: 'purged.localhost', tnId },
        { idTag: 'purged.localhost', tnId },
      ]);
    } finally {
      stop();
    }
  });
});
