import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo } from 'node:net';

import { freePort } from '@cloudillo/testing';

import { classifyUpstreamError, UpstreamForwarder } from '../src/proxy/upstream-forwarder';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Listens on a free loopback port. */
async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('UpstreamForwarder (real HTTP on loopback)', () => {
  let handler: Handler;
  let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string };
  const upstream = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      seen = { method: req.method, url: req.url, headers: req.headers, body: body.toString() };
      handler(req, res, body);
    });
  });
  let forwarder: UpstreamForwarder;
  let failures: unknown[];
  // The edge in front: every request forwarded to the upstream, a failure answered 599.
  const edge = createServer((req, res) => {
    const declared = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (declared ?? '0') !== '0';
    forwarder.forward(req, res, origin, hasBody ? req : null).catch((error: unknown) => {
      failures.push(error);
      res.writeHead(599).end(classifyUpstreamError(error));
    });
  });
  let origin: string;
  let edgePort: number;

  function call(
    path: string,
    options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: edgePort, path, method: options.method ?? 'GET' },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
      req.on('error', reject);
      req.end(options.body);
    });
  }

  beforeAll(async () => {
    origin = `http://127.0.0.1:${await listen(upstream)}`;
    edgePort = await listen(edge);
  });

  beforeEach(() => {
    forwarder = new UpstreamForwarder(1_000);
    failures = [];
  });

  afterEach(async () => {
    await forwarder.close();
  });

  afterAll(async () => {
    upstream.closeAllConnections();
    edge.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
    await new Promise((resolve) => edge.close(resolve));
  });

  it('passes method, path, Host, body and end-to-end headers; never connection-level ones', async () => {
    handler = (_req, res) => res.writeHead(201, { 'Content-Type': 'text/plain' }).end('made');
    const answer = await call('/api/things?x=1', {
      method: 'POST',
      headers: {
        Host: 'cl-o.alice.localhost:8080',
        'Content-Type': 'application/json',
        Authorization: 'Bearer t',
        Connection: 'keep-alive, X-Secret-Hop',
        'X-Secret-Hop': 'not for the service',
        'Proxy-Authorization': 'Basic eA==',
        'X-Forwarded-For': '203.0.113.9',
      },
      body: '{"a":1}',
    });
    expect(answer).toMatchObject({ status: 201, body: 'made' });
    expect(seen).toMatchObject({ method: 'POST', url: '/api/things?x=1', body: '{"a":1}' });
    expect(seen.headers).toMatchObject({
      host: 'cl-o.alice.localhost:8080',
      'content-type': 'application/json',
      authorization: 'Bearer t',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-host': 'cl-o.alice.localhost:8080',
      'x-forwarded-proto': 'http',
    });
    expect(seen.headers).not.toHaveProperty('x-secret-hop');
    expect(seen.headers).not.toHaveProperty('proxy-authorization');
  });

  it('streams a chunked request body of unknown length', async () => {
    handler = (_req, res, body) => res.writeHead(200).end(String(body.length));
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: edgePort, path: '/up', method: 'PUT' },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(10_000, 'z'));
      req.end();
    });
    expect(seen.headers['transfer-encoding']).toBe('chunked');
    expect(answer).toMatchObject({ status: 200, body: '100000' });
  });

  it('answers with the service status, headers (repeated ones kept) and body; not its hop-by-hop headers', async () => {
    handler = (_req, res) => {
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.setHeader('Keep-Alive', 'timeout=77');
      res.setHeader('Cache-Control', 'no-store');
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":{}}');
    };
    const answer = await call('/api/missing');
    expect(answer.status).toBe(404);
    expect(answer.body).toBe('{"error":{}}');
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(answer.headers['cache-control']).toBe('no-store');
    // The edge's own connection header, not the service's keep-alive parameters.
    expect(answer.headers['keep-alive']).not.toBe('timeout=77');
  });

  it('gives up on a service that does not answer within the timeout', async () => {
    handler = () => undefined; // never answers
    const answer = await call('/api/slow');
    expect(answer).toEqual(expect.objectContaining({ status: 599, body: 'timeout' }));
  });

  it('calls a refused connection unavailable', async () => {
    origin = `http://127.0.0.1:${await freePort()}`;
    try {
      const answer = await call('/api/anything');
      expect(answer).toEqual(expect.objectContaining({ status: 599, body: 'unavailable' }));
    } finally {
      origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    }
  });
});
