import { type AddressInfo } from 'node:net';

import { type INestApplication } from '@nestjs/common';
import { createTenant, profileChanged, setTenantStatus } from '@cloudillo/contracts';
import { REPLAY_HEADER } from '@cloudillo/http';
import { TENANT_HEADER } from '@cloudillo/tenancy';
import { httpRequest } from '@cloudillo/testing';
import { Client } from 'pg';

// The gateway in front of a real identity service (Postgres, NATS).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
import { startGateway } from '../src/gateway-app';
import { testGatewayConfig } from './test-gateway-config';

const ALICE = 'alice.me-replays.localhost';
const BOB = 'bob.me-replays.localhost';
const SECRET = 'profile-replays-tenant-header-secret-0123456789';

interface Profile {
  data: { idTag: string; name: string };
  reqId?: string;
}

describe('GET /api/me answered by the gateway until identity announces a change (real identity, Postgres, NATS)', () => {
  let identity: IdentityHarness;
  let gateway: INestApplication;
  let port: number;
  const tnIds: Record<string, number> = {};

  beforeAll(async () => {
    identity = await startTestIdentity({
      baseIdTag: 'me-replays.localhost',
      tenantHeaderSecret: SECRET,
    });
    for (const idTag of [ALICE, BOB])
      tnIds[idTag] = (await identity.rpc.request(createTenant, { idTag, name: idTag })).tnId;
    gateway = await startGateway(testGatewayConfig(identity, { tenantHeaderSecret: SECRET }), {
      logger: false,
    });
    port = (gateway.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await gateway?.close();
    await identity?.close();
  });

  const me = (idTag: string, headers: Record<string, string> = {}, to = port) =>
    httpRequest({
      port: to,
      method: 'GET',
      path: '/api/me',
      headers: { Host: `cl-o.${idTag}`, ...headers },
    });
  /** Renames a tenant behind identity's back: no event, so only identity's own answer changes. */
  const renameInTable = async (idTag: string, name: string) => {
    const pg = new Client({ connectionString: identity.schema.databaseUrl });
    await pg.connect();
    try {
      await pg.query(`update "${identity.schema.schema}".tenants set name = $1 where id_tag = $2`, [
        name,
        idTag,
      ]);
    } finally {
      await pg.end();
    }
  };
  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('answers repeats itself: the same profile and headers in a fresh envelope, 304 for its ETag', async () => {
    const first = await me(ALICE, { 'X-Request-ID': 'first-me' });
    expect(first.status).toBe(200);
    expect(first.headers[REPLAY_HEADER]).toBeUndefined();
    expect((first.json as Profile).reqId).toBe('first-me');
    await renameInTable(ALICE, 'Renamed quietly');
    expect(((await me(ALICE, {}, identity.port)).json as Profile).data.name).toBe(
      'Renamed quietly',
    );

    const repeat = await me(ALICE, { 'X-Request-ID': 'second-me' });
    expect(repeat.status).toBe(200);
    expect(repeat.json).toEqual({
      data: (first.json as Profile).data,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      reqId: 'second-me',
    });
    for (const name of ['etag', 'cache-control', 'content-type'])
      expect(repeat.headers[name]).toBe(first.headers[name]);
    expect(repeat.headers['x-request-id']).toBe('second-me');

    const etag = first.headers['etag'] as string;
    const notModified = await me(ALICE, { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers['etag']).toBe(etag);
    expect(notModified.text).toBe('');
  });

  it('drops a tenant’s copy when identity announces a profile change, and only that tenant’s', async () => {
    expect(((await me(BOB)).json as Profile).data.name).toBe(BOB);
    await renameInTable(BOB, 'Bob, quietly');
    await identity.rpc.publish(profileChanged, { idTag: ALICE, tnId: tnIds[ALICE] as number });
    await until(async () => ((await me(ALICE)).json as Profile).data.name === 'Renamed quietly');
    expect(((await me(ALICE)).json as Profile).data.name).toBe('Renamed quietly');
    expect(((await me(BOB)).json as Profile).data.name).toBe(BOB);
  });

  it('stops answering for a suspended tenant at once', async () => {
    expect((await me(BOB)).status).toBe(200);
    await identity.rpc.request(setTenantStatus, { idTag: BOB, status: 'S' });
    await until(async () => (await me(BOB)).status === 503);
    expect((await me(BOB)).status).toBe(503);
    await identity.rpc.request(setTenantStatus, { idTag: BOB, status: 'A' });
    await until(async () => (await me(BOB)).status === 200);
    expect(((await me(BOB)).json as Profile).data.name).toBe('Bob, quietly');
  });

  it('takes no tenant header from a client: a forged one changes nothing', async () => {
    const forged = `${tnIds[BOB]}.A.${Math.floor(Date.now() / 1000)}.${'A'.repeat(43)}`;
    const res = await me(ALICE, { [TENANT_HEADER]: forged, 'Cache-Control': 'no-cache' });
    expect(res.status).toBe(200);
    expect((res.json as Profile).data.idTag).toBe(ALICE);
    // Straight to identity, a forged header is ignored too: the tenant is resolved instead.
    const direct = await me(ALICE, { [TENANT_HEADER]: forged }, identity.port);
    expect((direct.json as Profile).data.idTag).toBe(ALICE);
  });
});
