import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

import { type INestApplication } from '@nestjs/common';
import { createTenant } from '@cloudillo/contracts';
import { REPLAY_HEADER } from '@cloudillo/http';
import { BUCKETS } from '@cloudillo/rate-limit';
import { httpRequest, testInfra, uniqueName } from '@cloudillo/testing';

// The gateway resolves tenants with a real identity service; a test may start another app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
import { startGateway } from '../src/gateway-app';

const ALICE = 'alice.replays.localhost';
const BOB = 'bob.replays.localhost';

interface Seen {
  host: string | undefined;
  body: string;
}

/**
 * Stands in for the federation service's inbox: 201 `{actionId}` for every body; marked
 * replayable (for 600 s) when the body says "settled", refused with 409 when it says "refused".
 */
function standInInbox(seen: Seen[]): Server {
  return createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString();
      seen.push({ host: req.headers.host, body });
      const refused = body.includes('refused');
      const payload = JSON.stringify(
        refused
          ? { error: { code: 'E-CORE-CONFLICT', message: 'no' } }
          : { data: { actionId: `a1~${seen.length}` }, time: '2000-01-01T00:00:00.000Z' },
      );
      res.writeHead(refused ? 409 : 201, {
        'content-type': 'application/json; charset=utf-8',
        ...(body.includes('settled') ? { [REPLAY_HEADER]: '600' } : {}),
      });
      res.end(payload);
    });
  });
}

describe('gateway replays of answers a service marked replayable (real HTTP, identity on Postgres and NATS)', () => {
  let identity: IdentityHarness;
  let gateway: INestApplication;
  let port: number;
  const seen: Seen[] = [];
  const inbox = standInInbox(seen);

  beforeAll(async () => {
    identity = await startTestIdentity({ baseIdTag: 'replays.localhost', baseName: 'Replays' });
    for (const idTag of [ALICE, BOB]) await identity.rpc.request(createTenant, { idTag });
    await new Promise<void>((resolve) => inbox.listen(0, '127.0.0.1', resolve));
    gateway = await startGateway(
      {
        natsUrl: identity.nats.url,
        redisUrl: testInfra().redisUrl,
        rateLimits: { keyPrefix: uniqueName('rl'), networkFactor: 4 },
        http: { host: '127.0.0.1', port: 0 },
        upstreams: {
          identity: `http://127.0.0.1:${identity.port}`,
          'action-federation': `http://127.0.0.1:${(inbox.address() as AddressInfo).port}`,
        },
        bodyLimits: { json: 64 * 1024, inbox: 16 * 1024 * 1024, stream: 100 * 1024 * 1024 },
        // Behind a trusted proxy: the tests can speak from several addresses.
        trustProxy: true,
        proxyTimeoutMs: 5_000,
        replayEntries: 1_000,
      },
      { logger: false },
    );
    port = (gateway.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await gateway?.close();
    inbox.close();
    await identity?.close();
  });

  const deliver = (to: string, body: string, headers: Record<string, string> = {}) =>
    httpRequest({
      port,
      method: 'POST',
      path: '/api/inbox',
      headers: { Host: `cl-o.${to}`, 'Content-Type': 'application/json', ...headers },
      body,
    });
  const timesSeen = (host: string, body: string) =>
    seen.filter((s) => s.host === `cl-o.${host}` && s.body === body).length;

  it('answers a repeat itself: same status and data, a fresh envelope with the repeat’s request id, and never shows the header', async () => {
    const body = JSON.stringify({ token: 'settled-1' });
    const first = await deliver(BOB, body, { 'X-Request-ID': 'first-one' });
    expect(first.status).toBe(201);
    expect(first.headers[REPLAY_HEADER]).toBeUndefined();
    const repeat = await deliver(BOB, body, { 'X-Request-ID': 'second-one' });
    expect(timesSeen(BOB, body)).toBe(1);
    expect(repeat.status).toBe(201);
    expect(repeat.json).toEqual({
      data: (first.json as { data: unknown }).data,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      reqId: 'second-one',
    });
    expect((repeat.json as { time: string }).time).not.toBe('2000-01-01T00:00:00.000Z');
    expect(repeat.headers['x-request-id']).toBe('second-one');
    expect(repeat.headers[REPLAY_HEADER]).toBeUndefined();
    // Without a request id, none is made up.
    expect((await deliver(BOB, body)).json).not.toHaveProperty('reqId');
    expect(timesSeen(BOB, body)).toBe(1);
  });

  it('is keyed by tenant and bytes: the same body to another tenant, or other bytes, go to the service', async () => {
    const body = JSON.stringify({ token: 'settled-2' });
    await deliver(BOB, body);
    await deliver(ALICE, body);
    await deliver(ALICE, body);
    await deliver(BOB, JSON.stringify({ token: 'settled-2', related: [] }));
    expect(timesSeen(BOB, body)).toBe(1);
    expect(timesSeen(ALICE, body)).toBe(1);
    expect(timesSeen(BOB, JSON.stringify({ token: 'settled-2', related: [] }))).toBe(1);
  });

  it('keeps nothing the service did not mark, nor a marked refusal', async () => {
    const unmarked = JSON.stringify({ token: 'plain' });
    const refused = JSON.stringify({ token: 'settled-but-refused' });
    for (let i = 0; i < 2; i++) {
      expect((await deliver(BOB, unmarked)).status).toBe(201);
      expect((await deliver(BOB, refused)).status).toBe(409);
    }
    expect(timesSeen(BOB, unmarked)).toBe(2);
    expect(timesSeen(BOB, refused)).toBe(2);
  });

  it('passes chunked and large bodies on every time, intact', async () => {
    const chunked = JSON.stringify({ token: 'settled-chunked' });
    const large = JSON.stringify({ token: `settled-${'x'.repeat(70 * 1024)}` });
    for (let i = 0; i < 2; i++) {
      const res = await httpRequest({
        port,
        method: 'POST',
        path: '/api/inbox',
        headers: {
          Host: `cl-o.${BOB}`,
          'Content-Type': 'application/json',
          'Transfer-Encoding': 'chunked',
        },
        body: chunked,
      });
      expect(res.status).toBe(201);
      expect((await deliver(BOB, large)).status).toBe(201);
    }
    expect(timesSeen(BOB, chunked)).toBe(2);
    expect(timesSeen(BOB, large)).toBe(2);
  });

  it('counts replayed answers against the sender’s rate limit like any other', async () => {
    const body = JSON.stringify({ token: 'settled-flood' });
    const from = { 'X-Forwarded-For': '198.51.100.77' };
    const burst = BUCKETS.federation.short.points;
    const statuses: number[] = [];
    for (let i = 0; i <= burst; i++) statuses.push((await deliver(BOB, body, from)).status);
    expect(statuses.slice(0, burst).every((s) => s === 201)).toBe(true);
    expect(statuses[burst]).toBe(429);
    expect(timesSeen(BOB, body)).toBe(1);
  });
});
