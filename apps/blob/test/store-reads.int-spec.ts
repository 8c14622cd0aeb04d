import { randomBytes } from 'node:crypto';

import { STORE_READ_OFFER, STORE_READ_RANGE, STORE_READ_URL } from '@cloudillo/http';
import { S3BlobStore } from '@cloudillo/storage';

import { FilesRepository } from '../src/files/files.repository';

import { type BlobStack, startBlobStack } from './blob-stack';
import { bytesCall, type BytesCallOptions, uploadFile } from './bytes-call';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

describe('store reads: the gateway fetches the bytes the blob service hands over (real S3)', () => {
  let stack: BlobStack;

  beforeAll(async () => {
    stack = await startBlobStack({ tenants: [ALICE, BOB] });
  });

  afterAll(() => stack?.close());

  const viaGateway = (
    idTag: string,
    method: string,
    path: string,
    options: BytesCallOptions = {},
  ) => bytesCall(stack, idTag, method, path, options);
  /** Straight to the blob service, as the gateway calls it. */
  const toService = (idTag: string, path: string, headers: Record<string, string> = {}) =>
    bytesCall({ ...stack, gatewayPort: stack.config.http.port }, idTag, 'GET', path, { headers });
  const upload = (name: string, body: Buffer, type: string) =>
    uploadFile(stack, ALICE, name, body, type);

  it('hands over status, headers and a signed URL of the stored bytes, with no body', async () => {
    const bytes = randomBytes(8192);
    const fileId = await upload('report.pdf', bytes, 'application/pdf');
    const offered = await toService(ALICE, `/api/files/${fileId}`, { [STORE_READ_OFFER]: '1' });
    expect(offered.status).toBe(200);
    expect(offered.body).toHaveLength(0);
    expect(offered.headers).toMatchObject({
      'content-type': 'application/pdf',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    expect(offered.headers[STORE_READ_RANGE]).toBeUndefined();
    const stored = await fetch(offered.headers[STORE_READ_URL] as string);
    expect(stored.status).toBe(200);
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);

    const part = await toService(ALICE, `/api/files/${fileId}`, {
      [STORE_READ_OFFER]: '1',
      Range: 'bytes=100-199',
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/8192');
    expect(part.headers[STORE_READ_RANGE]).toBe('bytes=100-199');
    const storedPart = await fetch(part.headers[STORE_READ_URL] as string, {
      headers: { Range: 'bytes=100-199' },
    });
    expect(Buffer.from(await storedPart.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);

    // Without the offer (a caller that is not the gateway) the service streams the bytes itself.
    const streamed = await toService(ALICE, `/api/files/${fileId}`);
    expect(streamed.headers[STORE_READ_URL]).toBeUndefined();
    expect(streamed.body.equals(bytes)).toBe(true);
  });

  it('gives clients the bytes through the gateway, never the hand-over', async () => {
    const bytes = randomBytes(300_000);
    const fileId = await upload('data.bin', bytes, 'application/octet-stream');
    const whole = await viaGateway(ALICE, 'GET', `/api/files/${fileId}`);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-length']).toBe('300000');
    expect(whole.body.equals(bytes)).toBe(true);
    expect(whole.headers[STORE_READ_URL]).toBeUndefined();
    const variant = whole.headers['x-cloudillo-variant'] as string;
    const part = await viaGateway(ALICE, 'GET', `/api/files/variant/${variant}`, {
      headers: { Range: 'bytes=-10' },
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 299990-299999/300000');
    expect(part.body.equals(bytes.subarray(299_990))).toBe(true);
    expect(part.headers[STORE_READ_RANGE]).toBeUndefined();
    const unsatisfiable = await viaGateway(ALICE, 'GET', `/api/files/${fileId}`, {
      headers: { Range: 'bytes=300000-' },
    });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['content-range']).toBe('bytes */300000');
  });

  it('answers a HEAD from the file record, without the store; a GET of bytes the store lost is 503, handed over or streamed', async () => {
    const fileId = await upload('sized.bin', randomBytes(70_000), 'application/octet-stream');
    const first = await viaGateway(ALICE, 'HEAD', `/api/files/${fileId}`);
    // The stored bytes go missing behind the service's back.
    const key = await stack.blob
      .get(FilesRepository)
      .objectKeyOf(first.headers['x-cloudillo-variant'] as string);
    await new S3BlobStore(stack.config.s3).remove([key as string]);
    const head = await viaGateway(ALICE, 'HEAD', `/api/files/${fileId}`);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('70000');
    expect(head.headers['content-type']).toBe('application/octet-stream');
    expect(head.headers[STORE_READ_URL]).toBeUndefined();
    const part = await viaGateway(ALICE, 'HEAD', `/api/files/${fileId}`, {
      headers: { Range: 'bytes=0-99' },
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-length']).toBe('100');
    expect(part.headers['content-range']).toBe('bytes 0-99/70000');
    const read = await viaGateway(ALICE, 'GET', `/api/files/${fileId}`);
    expect(read.status).toBe(503);
    expect(JSON.parse(read.body.toString())).toMatchObject({ error: { code: 'E-SYS-UNAVAIL' } });
    // Without the gateway's offer the service streams the bytes itself: the same answer.
    const streamed = await toService(ALICE, `/api/files/${fileId}`);
    expect(streamed.status).toBe(503);
    expect(JSON.parse(streamed.body.toString())).toMatchObject({
      error: { code: 'E-SYS-UNAVAIL' },
    });
  });

  it('hands over nothing before access is granted', async () => {
    const fileId = await upload('private.pdf', randomBytes(512), 'application/pdf');
    for (const reply of [
      await toService(BOB, `/api/files/${fileId}`, { [STORE_READ_OFFER]: '1' }),
      await bytesCall(
        { ...stack, gatewayPort: stack.config.http.port },
        ALICE,
        'GET',
        `/api/files/${fileId}`,
        {
          token: null,
          headers: { [STORE_READ_OFFER]: '1' },
        },
      ),
    ]) {
      expect(reply.status).toBe(404);
      expect(reply.headers[STORE_READ_URL]).toBeUndefined();
    }
  });
});
