import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { PeerDirectory } from '@cloudillo/protocol';
import { z } from 'zod';

import { PeerClient, PeerError, type HostResolver } from '../src';

const profile = z.object({ data: z.object({ idTag: z.string() }) });

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}` };
}

const fixedResolver = (...addresses: string[]): HostResolver => ({
  resolve: async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
});

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PeerError) return error.kind;
    throw error;
  }
  return 'ok';
}

describe('PeerClient (real HTTP on loopback through the peer map)', () => {
  const servers: Server[] = [];
  const routes = new Map<string, Handler>();
  let peerUrl: string;
  let otherUrl: string;

  beforeAll(async () => {
    const peer = await serve((req, res) =>
      (routes.get(req.url ?? '') ?? ((_q, r) => r.writeHead(404).end()))(req, res),
    );
    const other = await serve((_req, res) =>
      res.end(JSON.stringify({ data: { idTag: 'internal' } })),
    );
    servers.push(peer.server, other.server);
    peerUrl = peer.url;
    otherUrl = other.url;
    routes.set('/api/me', (req, res) =>
      res.end(JSON.stringify({ data: { idTag: 'alice.localhost', host: req.headers.host } })),
    );
    routes.set('/huge', (_req, res) => res.end(Buffer.alloc(300 * 1024, 'a')));
    routes.set('/huge-chunked', (_req, res) => {
      for (let i = 0; i < 40; i++) res.write(Buffer.alloc(10 * 1024, 'a'));
      res.end();
    });
    routes.set('/slow', (_req, res) => setTimeout(() => res.end('{}'), 2_000).unref());
    routes.set('/not-json', (_req, res) => res.end('<html>'));
    routes.set('/wrong-shape', (_req, res) => res.end(JSON.stringify({ data: { name: 1 } })));
    routes.set('/to-loopback', (_req, res) =>
      res.writeHead(302, { location: `${otherUrl}/api/me` }).end(),
    );
    routes.set('/to-loopback-https', (_req, res) =>
      res.writeHead(307, { location: 'https://127.0.0.1:1/api/me' }).end(),
    );
    routes.set('/to-metadata', (_req, res) =>
      res.writeHead(302, { location: 'https://[::ffff:169.254.169.254]/latest' }).end(),
    );
    routes.set('/to-same-origin', (_req, res) => res.writeHead(301, { location: '/api/me' }).end());
    routes.set('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    routes.set('/api/inbox', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        res.writeHead(201).end(
          JSON.stringify({
            data: {
              method: req.method,
              type: req.headers['content-type'],
              body: JSON.parse(Buffer.concat(chunks).toString()),
            },
          }),
        ),
      );
    });
  });

  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  const client = (options: { timeoutMs?: number; resolver?: HostResolver } = {}) =>
    new PeerClient({
      directory: new PeerDirectory({ 'alice.localhost': peerUrl }),
      maxBytes: 256 * 1024,
      ...options,
    });

  it('reads and parses a mapped peer, addressing it as cl-o.<id_tag>', async () => {
    const withHost = z.object({ data: z.object({ idTag: z.string(), host: z.string() }) });
    await expect(client().getJson('alice.localhost', '/api/me', withHost)).resolves.toEqual({
      data: { idTag: 'alice.localhost', host: 'cl-o.alice.localhost' },
    });
  });

  it.each([
    ['/huge', 'too-large'],
    ['/huge-chunked', 'too-large'],
    ['/not-json', 'parse'],
    ['/wrong-shape', 'shape'],
    ['/missing', 'status'],
    ['/to-loopback', 'blocked'],
    ['/to-loopback-https', 'blocked'],
    ['/to-metadata', 'blocked'],
    ['/loop', 'redirects'],
  ])('refuses %s as %s', async (path, kind) => {
    expect(await kindOf(client().getJson('alice.localhost', path, profile))).toBe(kind);
  });

  it('posts a JSON body and reads the reply; a redirected POST is refused, not re-sent', async () => {
    const echo = z.object({
      data: z.object({ method: z.string(), type: z.string(), body: z.unknown() }),
    });
    await expect(
      client().postJson('alice.localhost', '/api/inbox', { token: 'x.y.z' }, echo),
    ).resolves.toEqual({
      data: { method: 'POST', type: 'application/json', body: { token: 'x.y.z' } },
    });
    expect(await kindOf(client().postJson('alice.localhost', '/to-same-origin', {}, profile))).toBe(
      'redirects',
    );
    expect(await kindOf(client().postJson('alice.localhost', '/missing', {}, profile))).toBe(
      'status',
    );
  });

  it('follows a redirect within the mapped origin', async () => {
    await expect(
      client().getJson('alice.localhost', '/to-same-origin', profile),
    ).resolves.toMatchObject({ data: { idTag: 'alice.localhost' } });
  });

  it('gives up on a slow peer at the deadline', async () => {
    const started = Date.now();
    expect(
      await kindOf(client({ timeoutMs: 300 }).getJson('alice.localhost', '/slow', profile)),
    ).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it.each([
    ['loopback', ['127.0.0.1']],
    ['a private address', ['10.0.0.5']],
    ['cloud metadata', ['169.254.169.254']],
    ['a public and a private address', ['8.8.8.8', '192.168.0.1']],
    ['nothing', []],
  ])('refuses an unmapped peer whose name resolves to %s', async (_name, addresses) => {
    const resolver = fixedResolver(...addresses);
    expect(await kindOf(client({ resolver }).getJson('bob.example.com', '/api/me', profile))).toBe(
      'blocked',
    );
  });

  it('reports resolver failures and invalid id_tags', async () => {
    const failing: HostResolver = { resolve: () => Promise.reject(new Error('ENOTFOUND')) };
    expect(
      await kindOf(client({ resolver: failing }).getJson('bob.example.com', '/api/me', profile)),
    ).toBe('network');
    expect(await kindOf(client().getJson('../etc', '/api/me', profile))).toBe('invalid-peer');
  });
});
