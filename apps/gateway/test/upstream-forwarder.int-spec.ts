import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo } from 'node:net';

import { STORE_READ_OFFER, STORE_READ_RANGE, STORE_READ_URL } from '@cloudillo/http';
import { freePort } from '@cloudillo/testing';

import { classifyUpstreamError, UpstreamForwarder } from '../src/proxy/upstream-forwarder';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text, and as the bytes it came as. */
  body: string;
  bytes: Buffer;
}

/** Collects a response into an `Answer`. */
function answerOf(res: IncomingMessage, resolve: (answer: Answer) => void): void {
  const parts: Buffer[] = [];
  res.on('data', (c: Buffer) => parts.push(c));
  res.on('end', () => {
    const bytes = Buffer.concat(parts);
    resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString(), bytes });
  });
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
  // Stands in for the S3 store behind a handed-over read: 1,000 known bytes at /bucket/object.
  const stored = Buffer.from(Array.from({ length: 1_000 }, (_, i) => i % 251));
  let storeSeen: IncomingHttpHeaders[] = [];
  const store = createServer((req, res) => {
    storeSeen.push(req.headers);
    if (req.url !== '/bucket/object?X-Amz-Signature=s') {
      res.writeHead(404).end('NoSuchKey');
      return;
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!range) {
      res
        .writeHead(200, {
          'Content-Type': 'binary/octet-stream',
          'Content-Length': stored.length,
          ETag: '"e"',
        })
        .end(stored);
      return;
    }
    const [start, end] = [Number(range[1]), Number(range[2])];
    res.writeHead(206, {
      'Content-Range': `bytes ${start}-${end}/${stored.length}`,
      'Content-Length': end - start + 1,
    });
    res.end(stored.subarray(start, end + 1));
  });
  let storeOrigin: string;
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
        (res) => answerOf(res, resolve),
      );
      for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
      req.on('error', reject);
      req.end(options.body);
    });
  }

  beforeAll(async () => {
    origin = `http://127.0.0.1:${await listen(upstream)}`;
    edgePort = await listen(edge);
    storeOrigin = `http://127.0.0.1:${await listen(store)}`;
  });

  beforeEach(() => {
    forwarder = new UpstreamForwarder(1_000);
    failures = [];
    storeSeen = [];
  });

  afterEach(async () => {
    await forwarder.close();
  });

  afterAll(async () => {
    upstream.closeAllConnections();
    edge.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
    await new Promise((resolve) => edge.close(resolve));
    store.closeAllConnections();
    await new Promise((resolve) => store.close(resolve));
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
        (res) => answerOf(res, resolve),
      );
      req.on('error', reject);
      // Written over time, so the body is still arriving when it is forwarded (undici frames a
      // body that has already ended, whole in the buffer, with a content-length of its own).
      let sent = 0;
      const more = () => {
        req.write(Buffer.alloc(10_000, 'z'));
        if (++sent < 10) setTimeout(more, 5);
        else req.end();
      };
      more();
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

  describe('store reads handed over by a service', () => {
    /** A service that takes the offer: its status and headers, the bytes left to the store. */
    const handOver =
      (status: number, headers: Record<string, string>): Handler =>
      (req, res) => {
        if (req.headers[STORE_READ_OFFER] !== '1') {
          res.writeHead(200).end('streamed by the service');
          return;
        }
        res.writeHead(status, {
          'Content-Type': 'image/png',
          'Cache-Control': 'public, max-age=31536000, immutable',
          'Content-Length': '0',
          ...headers,
        });
        res.end();
      };
    const objectUrl = () => `${storeOrigin}/bucket/object?X-Amz-Signature=s`;

    it("sends the store's bytes with the service's status and headers, and no internal header", async () => {
      handler = handOver(200, { [STORE_READ_URL]: objectUrl(), 'X-Cloudillo-Variant': 'b1~x' });
      // A client's own offer is not what reaches the service.
      const answer = await call('/api/files/f1~x', { headers: { [STORE_READ_OFFER]: '0' } });
      expect(seen.headers[STORE_READ_OFFER]).toBe('1');
      expect(answer.status).toBe(200);
      expect(answer.bytes.equals(stored)).toBe(true);
      expect(answer.headers).toMatchObject({
        'content-type': 'image/png',
        'content-length': '1000',
        'cache-control': 'public, max-age=31536000, immutable',
        'x-cloudillo-variant': 'b1~x',
      });
      // Neither the store's own headers nor the hand-over reach the client.
      expect(answer.headers).not.toHaveProperty('etag');
      expect(answer.headers).not.toHaveProperty(STORE_READ_URL);
      expect(storeSeen).toHaveLength(1);
      expect(storeSeen[0]).not.toHaveProperty('x-forwarded-for');
    });

    it('asks the store for the range the service parsed', async () => {
      handler = handOver(206, {
        [STORE_READ_URL]: objectUrl(),
        [STORE_READ_RANGE]: 'bytes=10-19',
        'Content-Range': 'bytes 10-19/1000',
      });
      const answer = await call('/api/files/f1~x', { headers: { Range: 'bytes=10-19' } });
      expect(storeSeen[0]?.range).toBe('bytes=10-19');
      expect(answer.status).toBe(206);
      expect(answer.headers['content-range']).toBe('bytes 10-19/1000');
      expect(answer.headers['content-length']).toBe('10');
      expect(answer.bytes.equals(stored.subarray(10, 20))).toBe(true);
      expect(answer.headers).not.toHaveProperty(STORE_READ_RANGE);
    });

    it("offers nothing but on a GET, and drops a client's offer", async () => {
      handler = handOver(200, { [STORE_READ_URL]: objectUrl() });
      const head = await call('/api/files/f1~x', {
        method: 'HEAD',
        headers: { [STORE_READ_OFFER]: '1' },
      });
      expect(seen.headers).not.toHaveProperty(STORE_READ_OFFER);
      expect(head.status).toBe(200);
      const post = await call('/api/files/f1~x', {
        method: 'POST',
        headers: { [STORE_READ_OFFER]: '1' },
        body: 'x',
      });
      expect(seen.headers).not.toHaveProperty(STORE_READ_OFFER);
      expect(post.body).toBe('streamed by the service');
      expect(storeSeen).toHaveLength(0);
    });

    it('fails the read when the store does not answer as asked, or the hand-over is malformed', async () => {
      handler = handOver(200, { [STORE_READ_URL]: `${storeOrigin}/bucket/gone` });
      expect(await call('/api/files/f1~x')).toMatchObject({ status: 599, body: 'unavailable' });
      expect(storeSeen).toHaveLength(1);
      for (const headers of <Record<string, string>[]>[
        { [STORE_READ_URL]: 'file:///etc/passwd' },
        { [STORE_READ_URL]: objectUrl(), [STORE_READ_RANGE]: 'bytes=0-1,5-9' },
        { [STORE_READ_URL]: 'not a url' },
      ]) {
        handler = handOver(206, headers);
        expect(await call('/api/files/f1~x')).toMatchObject({ status: 599, body: 'unavailable' });
      }
      // A range, but the service said 200: not what it parsed.
      handler = handOver(200, { [STORE_READ_URL]: objectUrl(), [STORE_READ_RANGE]: 'bytes=0-9' });
      expect(await call('/api/files/f1~x')).toMatchObject({ status: 599, body: 'unavailable' });
      expect(storeSeen).toHaveLength(1);
      expect(failures).toHaveLength(5);
    });
  });
});
