import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import { type INestApplication } from '@nestjs/common';
import { ContractClient, resolveKey } from '@cloudillo/contracts';
import { NatsRpcTransport } from '@cloudillo/messaging';
import {
  createTestSchema,
  freePort,
  httpRequest,
  startNatsServer,
  type TestNatsServer,
  type TestSchema,
} from '@cloudillo/testing';
import { connect, type NatsConnection } from 'nats';

import { startIdentity } from '../src/identity-app';
import { testIdentityConfig } from './test-config';

const MINUTE = 60_000;
const portOf = (app: INestApplication) => (app.getHttpServer().address() as { port: number }).port;

/** A peer whose /api/me the test scripts, counting what it is asked. */
class FakePeer {
  hits = 0;
  respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    res.writeHead(404).end();
  server = createServer((req, res) => {
    this.hits++;
    this.respond(req, res);
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  profile(
    keys: { keyId: string; publicKey: string; expiresAt?: string; [more: string]: unknown }[],
    idTag = 'peer.localhost',
  ) {
    this.respond = (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          data: { idTag, name: 'Peer', type: 'person', keys },
          time: new Date().toISOString(),
        }),
      );
  }
}

describe('identity.key.resolve.v1: local, cached, fetched from peers (real HTTP, Postgres, NATS)', () => {
  let schemas: TestSchema[];
  let natsA: TestNatsServer;
  let natsB: TestNatsServer;
  let nodeA: INestApplication;
  let nodeB: INestApplication;
  let nc: NatsConnection;
  let rpc: ContractClient;
  const peer = new FakePeer();
  let now = new Date('2026-05-01T00:00:00Z');
  let bobKey: { keyId: string; publicKey: string };
  let deadPort: number;

  beforeAll(async () => {
    schemas = await Promise.all([createTestSchema('identity'), createTestSchema('identity')]);
    [natsA, natsB] = await Promise.all([startNatsServer(), startNatsServer()]);
    nodeB = await startIdentity(
      testIdentityConfig({
        dbSchema: schemas[1]!.schema,
        natsUrl: natsB.url,
        baseIdTag: 'bob.localhost',
      }),
      { logger: false },
    );
    deadPort = await freePort();
    nodeA = await startIdentity(
      testIdentityConfig({
        dbSchema: schemas[0]!.schema,
        natsUrl: natsA.url,
        baseIdTag: 'alice.localhost',
        peers: {
          'bob.localhost': `http://127.0.0.1:${portOf(nodeB)}`,
          'peer.localhost': await peer.listen(),
          'down.localhost': `http://127.0.0.1:${deadPort}`,
        },
        remote: { timeoutMs: 500, maxBytes: 64 * 1024 },
      }),
      {
        logger: false,
        clock: () => now,
        // Public DNS is out of reach: unmapped names "resolve" to loopback, which the guard refuses.
        resolver: { resolve: async () => [{ address: '127.0.0.1', family: 4 }] },
      },
    );
    nc = await connect({ servers: natsA.url });
    rpc = new ContractClient(new NatsRpcTransport(nc));
    const bob = await httpRequest({
      port: portOf(nodeB),
      path: '/api/me',
      headers: { Host: 'cl-o.bob.localhost' },
    });
    bobKey = (bob.json as { data: { keys: { keyId: string; publicKey: string }[] } }).data.keys[0]!;
  });

  afterAll(async () => {
    await nc?.drain();
    await nodeA?.close();
    await nodeB?.close();
    peer.server.close();
    await Promise.all((schemas ?? []).map((s) => s.drop()));
    await Promise.all([natsA?.stop(), natsB?.stop()]);
  });

  const resolve = (idTag: string, keyId: string, refresh = false) =>
    rpc.request(resolveKey, { idTag, keyId, refresh });
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { code?: string }) => e.code,
    );

  it("resolves a local tenant's key without HTTP", async () => {
    const me = await httpRequest({
      port: portOf(nodeA),
      path: '/api/me',
      headers: { Host: 'cl-o.alice.localhost' },
    });
    const [key] = (me.json as { data: { keys: { keyId: string; publicKey: string }[] } }).data.keys;
    await expect(resolve('alice.localhost', key!.keyId)).resolves.toEqual({
      publicKey: key!.publicKey,
    });
    expect(await codeOf(resolve('alice.localhost', '000000'))).toBe('E-CORE-NOTFOUND');
  });

  it("fetches another node's key from its /api/me over real HTTP (peer map)", async () => {
    await expect(resolve('bob.localhost', bobKey.keyId)).resolves.toEqual({
      publicKey: bobKey.publicKey,
    });
  });

  it('caches keys, refetches at most once a minute, and only when asked or missing', async () => {
    peer.profile([{ keyId: '260101', publicKey: bobKey.publicKey }]);
    peer.hits = 0;
    await expect(resolve('peer.localhost', '260101')).resolves.toEqual({
      publicKey: bobKey.publicKey,
    });
    await resolve('peer.localhost', '260101');
    expect(peer.hits).toBe(1);
    // A signature failed against the cached key: refetch, but not twice within a minute.
    await resolve('peer.localhost', '260101', true);
    expect(peer.hits).toBe(1);
    now = new Date(now.getTime() + MINUTE + 1);
    await resolve('peer.localhost', '260101', true);
    expect(peer.hits).toBe(2);
    // An unknown key id within the minute after a fetch: "ask again later" (the peer may have
    // published it since), without a fetch; a minute on it is read again and resolves.
    expect(await codeOf(resolve('peer.localhost', '999999'))).toBe('E-SYS-UNAVAIL');
    expect(peer.hits).toBe(2);
    peer.profile([
      { keyId: '260101', publicKey: bobKey.publicKey },
      { keyId: '999999', publicKey: bobKey.publicKey },
    ]);
    now = new Date(now.getTime() + MINUTE);
    await expect(resolve('peer.localhost', '999999')).resolves.toEqual({
      publicKey: bobKey.publicKey,
    });
    expect(peer.hits).toBe(3);
    // What a fresh read does not hold is "not published", for good.
    now = new Date(now.getTime() + MINUTE);
    expect(await codeOf(resolve('peer.localhost', '999998'))).toBe('E-CORE-NOTFOUND');
    expect(peer.hits).toBe(4);
  });

  it('answers a burst for a new peer’s key with one fetch, and never "not published" for a key it is storing', async () => {
    now = new Date(now.getTime() + 2 * MINUTE);
    peer.profile([{ keyId: '260103', publicKey: bobKey.publicKey }]);
    const answer = peer.respond;
    // The peer answers slowly, and requests keep arriving before, during and just after its answer
    // is stored: each must see either the fetch in flight or the stored key.
    peer.respond = (req, res) => setTimeout(() => answer(req, res), 40);
    peer.hits = 0;
    const burst: Promise<string | undefined>[] = [];
    for (let i = 0; i < 120; i++) {
      burst.push(codeOf(resolve('peer.localhost', '260103')));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(new Set(await Promise.all(burst))).toEqual(new Set(['ok']));
    expect(peer.hits).toBe(1);
  });

  it('takes a newer peer’s keys with fields this version does not know (issue 20)', async () => {
    now = new Date(now.getTime() + 2 * MINUTE);
    peer.profile([{ keyId: '260104', publicKey: bobKey.publicKey, alg: 'ES384', use: { v: 2 } }]);
    await expect(resolve('peer.localhost', '260104')).resolves.toEqual({
      publicKey: bobKey.publicKey,
    });
  });

  it('keeps the peer’s expiry, and still answers a key past it: retired, it verifies older tokens', async () => {
    now = new Date(now.getTime() + 2 * MINUTE);
    const expiresAt = new Date(now.getTime() + 10 * MINUTE).toISOString();
    peer.profile([{ keyId: '260102', publicKey: bobKey.publicKey, expiresAt }]);
    await expect(resolve('peer.localhost', '260102')).resolves.toEqual({
      publicKey: bobKey.publicKey,
      expiresAt,
    });
    // (Issue 20: the verifier takes it only for tokens issued before `expiresAt`.)
    now = new Date(now.getTime() + 11 * MINUTE);
    await expect(resolve('peer.localhost', '260102')).resolves.toEqual({
      publicKey: bobKey.publicKey,
      expiresAt,
    });
  });

  it('caches network failures for 5 minutes', async () => {
    expect(await codeOf(resolve('down.localhost', '260101'))).toBe('E-SYS-UNAVAIL');
    now = new Date(now.getTime() + 4 * MINUTE);
    const started = Date.now();
    expect(await codeOf(resolve('down.localhost', '260101'))).toBe('E-SYS-UNAVAIL');
    expect(Date.now() - started).toBeLessThan(300);
  });

  it.each([
    ['a 404', (_q: IncomingMessage, r: ServerResponse) => r.writeHead(404).end()],
    [
      'a huge body',
      (_q: IncomingMessage, r: ServerResponse) => r.end(Buffer.alloc(100 * 1024, '{')),
    ],
    ['not JSON', (_q: IncomingMessage, r: ServerResponse) => r.end('<html>')],
    [
      'a wrong shape',
      (_q: IncomingMessage, r: ServerResponse) => r.end(JSON.stringify({ data: { keys: 'no' } })),
    ],
    [
      'a key that is not P-384',
      (_q: IncomingMessage, r: ServerResponse) =>
        r.end(
          JSON.stringify({
            data: { idTag: 'peer.localhost', keys: [{ keyId: 'x', publicKey: 'AAAA' }] },
          }),
        ),
    ],
    [
      'another id_tag',
      (_q: IncomingMessage, r: ServerResponse) =>
        r.end(JSON.stringify({ data: { idTag: 'evil.localhost', keys: [] } })),
    ],
    [
      'a redirect to loopback',
      (_q: IncomingMessage, r: ServerResponse) =>
        r.writeHead(302, { location: 'http://127.0.0.1:1/api/me' }).end(),
    ],
  ])('refuses %s, and remembers the failure for an hour', async (name, respond) => {
    const keyId = `k-${name.replace(/\W+/g, '-')}`;
    now = new Date(now.getTime() + 2 * 60 * MINUTE);
    peer.respond = respond;
    peer.hits = 0;
    expect(await codeOf(resolve('peer.localhost', keyId))).toBe('E-SYS-UNAVAIL');
    peer.profile([{ keyId, publicKey: bobKey.publicKey }]);
    now = new Date(now.getTime() + 30 * MINUTE);
    expect(await codeOf(resolve('peer.localhost', keyId))).toBe('E-SYS-UNAVAIL');
    expect(peer.hits).toBe(1);
    now = new Date(now.getTime() + 31 * MINUTE);
    await expect(resolve('peer.localhost', keyId)).resolves.toEqual({
      publicKey: bobKey.publicKey,
    });
  });

  it('gives up on a slow peer at the deadline', async () => {
    now = new Date(now.getTime() + 2 * 60 * MINUTE);
    peer.respond = (_req, res) => setTimeout(() => res.end('{}'), 3_000).unref();
    const started = Date.now();
    expect(await codeOf(resolve('peer.localhost', 'slow-key'))).toBe('E-SYS-UNAVAIL');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('refuses an unmapped peer whose name resolves to a private address (SSRF guard)', async () => {
    expect(await codeOf(resolve('evil.example.com', '260101'))).toBe('E-SYS-UNAVAIL');
  });
});
