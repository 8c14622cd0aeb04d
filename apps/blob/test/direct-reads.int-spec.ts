import { randomBytes } from 'node:crypto';

import { testInfra } from '@cloudillo/testing';

import { type BlobStack, startBlobStack } from './blob-stack';
import { bytesCall, type BytesCallOptions, uploadFile } from './bytes-call';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

/** Straight to the store, as a client follows the redirect: no token, no gateway. */
async function fetchStored(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return {
    status: res.status,
    headers: res.headers,
    body: Buffer.from(await res.arrayBuffer()),
  };
}

describe('direct reads: access checked here, bytes from the store by a signed URL (real S3)', () => {
  let stack: BlobStack;

  beforeAll(async () => {
    stack = await startBlobStack({
      tenants: [ALICE, BOB],
      config: { directReads: { endpoint: testInfra().s3.endpoint, ttlSeconds: 60 } },
    });
  });

  afterAll(() => stack?.close());

  const send = (idTag: string, method: string, path: string, options: BytesCallOptions = {}) =>
    bytesCall(stack, idTag, method, path, options);
  const upload = (name: string, body: Buffer, type: string, query = '') =>
    uploadFile(stack, ALICE, name, body, type, query);

  it('answers a read with 307 to the store; the store serves the bytes, their type and ranges', async () => {
    const bytes = randomBytes(4096);
    const fileId = await upload('report.pdf', bytes, 'application/pdf');
    const reply = await send(ALICE, 'GET', `/api/files/${fileId}`);
    expect(reply.status).toBe(307);
    expect(reply.headers['x-cloudillo-variant']).toMatch(/^b1~/);
    expect(reply.headers['cache-control']).toBe('private, max-age=30');
    const location = reply.headers['location'] as string;
    expect(location.startsWith(testInfra().s3.endpoint)).toBe(true);
    const stored = await fetchStored(location);
    expect(stored.status).toBe(200);
    expect(stored.body.equals(bytes)).toBe(true);
    expect(stored.headers.get('content-type')).toBe('application/pdf');
    expect(stored.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const part = await fetchStored(location, { Range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.body.equals(bytes.subarray(10, 20))).toBe(true);
    // The signature covers the object: a URL bent to another key is refused by the store.
    const bent = location.replace(/\/o\/[^?]+/, '/o/another-object');
    expect((await fetchStored(bent)).status).toBe(403);
  });

  it('checks access before any URL is given out', async () => {
    const fileId = await upload('private.pdf', randomBytes(512), 'application/pdf');
    const stranger = await send(BOB, 'GET', `/api/files/${fileId}`);
    expect(stranger.status).toBe(404);
    expect(stranger.headers['location']).toBeUndefined();
    const anonymous = await send(ALICE, 'GET', `/api/files/${fileId}`, { token: null });
    expect(anonymous.status).toBe(404);
  });

  it('keeps serving SVG itself, with its CSP', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>',
    );
    const fileId = await upload('drawing.svg', svg, 'image/svg+xml');
    const reply = await send(ALICE, 'GET', `/api/files/${fileId}?variant=orig`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    expect(reply.body.equals(svg)).toBe(true);
  });
});
