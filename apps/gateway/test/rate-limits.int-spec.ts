import { type INestApplication } from '@nestjs/common';
import { createTenant, setTenantPassword } from '@cloudillo/contracts';
import { httpRequest, testInfra, uniqueName } from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { type AuthHarness, startTestAccessToken } from '../../access-token/test/auth-harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
import { startGateway } from '../src/gateway-app';

/** Per-IP limits at the edge (protocol §9), shared through the real Redis, behind a trusted ingress. */
describe('rate limits through the gateway', () => {
  let identity: IdentityHarness;
  let auth: AuthHarness;
  let gateway: INestApplication;
  let port: number;
  const prefix = uniqueName('rl');

  beforeAll(async () => {
    identity = await startTestIdentity({ baseIdTag: 'base.localhost' });
    auth = await startTestAccessToken({
      natsUrl: identity.nats.url,
      loginFailureDelayMs: 0,
      rateLimitPrefix: prefix,
    });
    await identity.rpc.request(createTenant, { idTag: 'alice.localhost' });
    await identity.rpc.request(setTenantPassword, {
      idTag: 'alice.localhost',
      password: 'alice-password',
    });
    gateway = await startGateway(
      {
        natsUrl: identity.nats.url,
        redisUrl: testInfra().redisUrl,
        rateLimits: { keyPrefix: prefix, networkFactor: 2 },
        http: { host: '127.0.0.1', port: 0 },
        upstreams: {
          identity: `http://127.0.0.1:${identity.port}`,
          'access-token': `http://127.0.0.1:${auth.port}`,
        },
        bodyLimits: { json: 64 * 1024, inbox: 1024 * 1024, stream: 1024 * 1024 },
        trustProxy: true,
        proxyTimeoutMs: 5_000,
        replayEntries: 1_000,
      },
      { logger: false },
    );
    port = (gateway.getHttpServer().address() as { port: number }).port;
  });

  afterAll(async () => {
    await gateway?.close();
    await auth?.close();
    await identity?.close();
  });

  const login = (from: string, password = 'alice-password') =>
    httpRequest({
      port,
      method: 'POST',
      path: '/api/auth/login',
      headers: {
        Host: 'cl-o.alice.localhost',
        'Content-Type': 'application/json',
        // What a trusted ingress appends; the client's own claim comes first and is ignored.
        'X-Forwarded-For': `10.9.9.9, ${from}`,
        // A client's own claim to an address is replaced by the gateway, never believed.
        'X-Real-IP': '192.0.2.250',
      },
      body: JSON.stringify({ idTag: 'alice.localhost', password }),
    });

  it('a login storm from one address gets 429 E-RATE-LIMITED with Retry-After; other addresses log in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login('203.0.113.5')).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    const refused = await login('203.0.113.5');
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ error: { code: 'E-RATE-LIMITED' } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login('198.51.100.9')).status).toBe(200);
    // Other buckets of the same address are untouched.
    const me = await httpRequest({
      port,
      path: '/api/me',
      headers: { Host: 'cl-o.alice.localhost', 'X-Forwarded-For': '203.0.113.5' },
    });
    expect(me.status).toBe(200);
  });

  it('a storm spread over one /24 is stopped at the network limit, sparing other networks', async () => {
    let allowed = 0;
    for (let host = 1; host <= 25; host++) {
      if ((await login(`192.0.2.${host}`)).status === 200) allowed++;
    }
    expect(allowed).toBe(20); // networkFactor 2 × burst 10
    expect((await login('192.0.3.1')).status).toBe(200);
  });

  it('failed logins are charged extra: an address guessing passwords is stopped after a few tries', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login('198.51.100.77', 'wrong-guess')).status);
    // 1 point per request plus 4 per failure: the third guess already exceeds the burst of 10.
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.slice(2)).toEqual([429, 429, 429]);
    expect((await login('198.51.100.78')).status).toBe(200);
  });
});
