import { request } from 'node:http';

import { type INestApplication } from '@nestjs/common';
import { createTenant } from '@cloudillo/contracts';
import { freePort, httpRequest, waitFor } from '@cloudillo/testing';

// The gateway test drives a real identity service; a test may start another app, sources never do.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TenantAdminService } from '../../identity/src/tenants/tenant-admin.service';
import { type GatewayConfig } from '../src/config';
import { startGateway } from '../src/gateway-app';
import { testGatewayConfig } from './test-gateway-config';

const portOf = (app: INestApplication) => (app.getHttpServer().address() as { port: number }).port;

describe('gateway in front of identity (real Postgres and NATS)', () => {
  let identity: IdentityHarness;
  let gateway: INestApplication;
  let port: number;
  let config: GatewayConfig;
  const demo = { Host: 'cl-o.demo.localhost:8080' };

  beforeAll(async () => {
    identity = await startTestIdentity({ baseIdTag: 'demo.localhost', baseName: 'Demo' });
    config = testGatewayConfig(identity);
    gateway = await startGateway(config, { logger: false });
    port = portOf(gateway);
  });

  afterAll(async () => {
    await gateway?.close();
    await identity?.close();
  });

  it('routes GET /api/me to identity and returns the demo profile in the envelope', async () => {
    const res = await httpRequest({
      port,
      path: '/api/me',
      headers: { ...demo, 'X-Request-ID': 'trace-42' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      data: {
        idTag: 'demo.localhost',
        name: 'Demo',
        type: 'person',
        keys: [{ publicKey: expect.any(String) }],
      },
      reqId: 'trace-42',
    });
    expect(res.headers['etag']).toBeDefined();
  });

  it('serves nothing of a suspended tenant (503, so peers retry) from the moment it is suspended, and all of it again once reactivated', async () => {
    const idTag = 'paused.demo.localhost';
    const host = { Host: `cl-o.${idTag}` };
    await identity.rpc.request(createTenant, { idTag });
    const admin = identity.app.get(TenantAdminService);
    const me = () => httpRequest({ port, path: '/api/me', headers: host });
    expect((await me()).status).toBe(200); // now in the gateway's cache, as active
    await admin.setStatus(idTag, 'S');
    // Long before the cache entry would expire (30 s): identity's event drops it.
    await waitFor(async () => (await me()).status === 503, 5_000, 'the suspension at the edge');
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['POST', '/api/inbox'],
      ['POST', '/api/auth/login'],
    ] as const) {
      const res = await httpRequest({ port, method, path, headers: host });
      expect([path, res.status, res.json]).toEqual([
        path,
        503,
        expect.objectContaining({ error: expect.objectContaining({ code: 'E-SYS-UNAVAIL' }) }),
      ]);
    }
    await admin.setStatus(idTag, 'A');
    await waitFor(async () => (await me()).status === 200, 5_000, 'the reactivation at the edge');
    expect((await me()).json).toMatchObject({ data: { idTag } });
  });

  it('answers unknown hosts and unknown tenants with 404 E-CORE-NOTFOUND in the error body', async () => {
    for (const host of [
      'evil.example.com',
      'cl-o.nobody.localhost',
      'cl-o.bad_tag.localhost',
      '127.0.0.1:8080',
      '',
    ]) {
      const res = await httpRequest({
        port,
        path: '/api/me',
        headers: { Host: host, 'X-Request-ID': 'r1' },
      });
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ error: { code: 'E-CORE-NOTFOUND' }, reqId: 'r1' });
    }
  });

  it('routes the app-domain discovery document to identity for non-API hosts', async () => {
    const res = await httpRequest({
      port,
      path: '/.well-known/cloudillo/id-tag',
      headers: { Host: 'demo.localhost:8080' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ idTag: 'demo.localhost' });
    const onApiHost = await httpRequest({
      port,
      path: '/.well-known/cloudillo/id-tag',
      headers: demo,
    });
    expect(onApiHost.status).toBe(404);
  });

  it('ignores a malformed X-Request-ID (no 500, no echo)', async () => {
    const res = await httpRequest({
      port,
      path: '/api/me',
      headers: { ...demo, 'X-Request-ID': 'x'.repeat(65) },
    });
    expect(res.status).toBe(200);
    expect(res.json).not.toHaveProperty('reqId');
  });

  it('refuses a declared oversized body with 413 before reading it', async () => {
    const res = await httpRequest({
      port,
      path: '/api/me',
      method: 'PATCH',
      headers: {
        ...demo,
        'Content-Type': 'application/json',
        'Content-Length': String(200 * 1024),
      },
      body: Buffer.alloc(200 * 1024, 'a'),
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: 'E-CORE-TOOLARGE' } });
  });

  it('cuts a chunked body off at the limit with 413', async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/me',
          method: 'PATCH',
          headers: { ...demo, 'Content-Type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(8 * 1024, 'b'));
      req.end();
    });
    expect(status.status).toBe(413);
    expect(JSON.parse(status.body)).toMatchObject({ error: { code: 'E-CORE-TOOLARGE' } });
  });

  it('answers routes of services not deployed here with 404, and dot segments with 400', async () => {
    const actions = await httpRequest({ port, path: '/api/actions', headers: demo });
    expect(actions.status).toBe(404);
    expect(actions.json).toMatchObject({ error: { code: 'E-CORE-NOTFOUND' } });
    const unknown = await httpRequest({ port, path: '/api/nothing-here', headers: demo });
    expect(unknown.status).toBe(404);
    const dots = await httpRequest({ port, path: '/api/me/%2e%2e/auth/login', headers: demo });
    expect(dots.status).toBe(400);
    expect(dots.json).toMatchObject({ error: { code: 'E-VAL-INVALID' } });
  });

  it('serves /health and /ready for any Host', async () => {
    const health = await httpRequest({ port, path: '/health', headers: { Host: 'anything' } });
    expect(health.json).toMatchObject({ data: { status: 'ok' } });
    const ready = await httpRequest({ port, path: '/ready' });
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({
      data: { status: 'ready', checks: { nats: true, identity: true } },
    });
  });

  it('answers 503 E-SYS-UNAVAIL when the owning service is down, and reports not ready', async () => {
    const deadPort = await freePort();
    const broken = await startGateway(
      { ...config, upstreams: { identity: `http://127.0.0.1:${deadPort}` } },
      { logger: false },
    );
    try {
      const res = await httpRequest({ port: portOf(broken), path: '/api/me', headers: demo });
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ error: { code: 'E-SYS-UNAVAIL' } });
      // With a body too (the failed upstream request lets go of the client's body).
      const patch = await httpRequest({
        port: portOf(broken),
        path: '/api/me',
        method: 'PATCH',
        headers: { ...demo, 'Content-Type': 'application/json' },
        body: Buffer.from('{"name":"Demo"}'),
      });
      expect(patch.status).toBe(503);
      expect(patch.json).toMatchObject({ error: { code: 'E-SYS-UNAVAIL' } });
      const ready = await httpRequest({ port: portOf(broken), path: '/ready' });
      expect(ready.status).toBe(503);
    } finally {
      await broken.close();
    }
  });

  it('refuses WebSocket upgrades for routes with no service', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path: '/ws/bus',
        headers: {
          ...demo,
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });
});
