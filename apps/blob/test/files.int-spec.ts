import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

import { contentId } from '@cloudillo/crypto';
import { createBlobDb } from '@cloudillo/db-blob';
import { resolveTenant } from '@cloudillo/contracts';
import { waitFor } from '@cloudillo/testing';

import { GarbageCollector } from '../src/files/garbage-collector';
import { type BlobStack, startBlobStack } from './blob-stack';
import { bytesCall, type BytesCallOptions, type BytesReply } from './bytes-call';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

type Reply = BytesReply;

describe('blob files: streamed upload, dedup, reads with ranges, delete (real S3, Postgres, gateway)', () => {
  let stack: BlobStack;
  let now = Date.now();

  beforeAll(async () => {
    stack = await startBlobStack({
      tenants: [ALICE, BOB],
      limits: { fileBytes: 2 * 1024 * 1024, tenantQuotaBytes: 6 * 1024 * 1024 },
      clock: () => new Date(now),
    });
  });

  afterAll(() => stack?.close());

  /** Any request through the gateway, as tenant `idTag`, bytes in and out. */
  const send = (idTag: string, method: string, path: string, options: BytesCallOptions = {}) =>
    bytesCall(stack, idTag, method, path, options);
  const json = (reply: Reply) =>
    JSON.parse(reply.body.toString()) as { data?: unknown; error?: { code: string } };
  const upload = async (
    idTag: string,
    name: string,
    body: Buffer,
    type = 'application/pdf',
    preset = 'default',
  ) => {
    const reply = await send(idTag, 'POST', `/api/files/${preset}/${encodeURIComponent(name)}`, {
      body,
      headers: { 'Content-Type': type },
    });
    return {
      reply,
      data: json(reply).data as { fileId: string; existed?: boolean },
      code: json(reply).error?.code,
    };
  };
  const objectCount = async () => {
    let n = 0;
    const store = stack.blob.get(GarbageCollector)['store'] as {
      list(p: string): AsyncIterable<unknown>;
    };
    for await (const object of store.list('o/')) if (object) n++;
    return n;
  };
  /** Bytes the tenant is charged, read where the service keeps them. */
  const usage = async (idTag: string) => {
    const { tnId } = await stack.identity.rpc.request(resolveTenant, { idTag });
    const db = createBlobDb({
      databaseUrl: stack.config.databaseUrl,
      schema: stack.config.dbSchema,
    });
    try {
      const row = await db.tenantUsage.findUnique({ where: { tnId } });
      return Number(row?.bytes ?? 0);
    } finally {
      await db.$disconnect();
    }
  };

  it('stores an upload under its content ids: b1~ of the bytes, f1~ of the d2 descriptor', async () => {
    const data = randomBytes(700_000);
    const { reply, data: result } = await upload(ALICE, 'report.pdf', data);
    expect(reply.status).toBe(201);
    const blobId = contentId('b', data);
    const descriptor = `d2,orig:${blobId}:f=pdf:s=${data.length}`;
    expect(result).toEqual({
      fileId: contentId('f', descriptor),
      fileName: 'report.pdf',
      contentType: 'application/pdf',
    });
    const read = await send(ALICE, 'GET', `/api/files/${result.fileId}`);
    expect(read.status).toBe(200);
    expect(read.body.equals(data)).toBe(true);
    expect(read.headers).toMatchObject({
      'content-type': 'application/pdf',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-cloudillo-variant': blobId,
      'x-cloudillo-variants': descriptor,
    });
    expect(json(await send(ALICE, 'GET', `/api/files/${result.fileId}/descriptor`)).data).toEqual({
      file: descriptor,
    });
    expect(
      json(await send(ALICE, 'GET', `/api/files/${result.fileId}/metadata`)).data,
    ).toMatchObject({
      fileId: result.fileId,
      fileName: 'report.pdf',
      contentType: 'application/pdf',
      status: 'A',
      preset: 'default',
      owner: { idTag: ALICE },
    });
    const variant = await send(ALICE, 'GET', `/api/files/variant/${blobId}`);
    expect(variant.body.equals(data)).toBe(true);
    const list = json(await send(ALICE, 'GET', '/api/files')).data as { fileId: string }[];
    expect(list.map((f) => f.fileId)).toContain(result.fileId);
  });

  it('serves one byte range as 206 and refuses bogus or unsatisfiable ranges with 416', async () => {
    const data = randomBytes(10_000);
    const { data: file } = await upload(ALICE, 'ranges.bin', data, 'application/octet-stream');
    const part = await send(ALICE, 'GET', `/api/files/${file.fileId}`, {
      headers: { Range: 'bytes=100-199' },
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${data.length}`);
    expect(part.body.equals(data.subarray(100, 200))).toBe(true);
    const tail = await send(ALICE, 'GET', `/api/files/${file.fileId}`, {
      headers: { Range: 'bytes=-10' },
    });
    expect(tail.body.equals(data.subarray(-10))).toBe(true);
    for (const range of ['bytes=20000-', 'bytes=abc', 'bytes=1-2,5-6', 'lines=1-2']) {
      const refused = await send(ALICE, 'GET', `/api/files/${file.fileId}`, {
        headers: { Range: range },
      });
      expect([range, refused.status, json(refused).error?.code]).toEqual([
        range,
        416,
        'E-VAL-INVALID',
      ]);
      expect(refused.headers['content-range']).toBe(`bytes */${data.length}`);
    }
  });

  it('keeps identical bytes once: tenants share the blob, each is charged once, deleting one breaks nothing', async () => {
    const data = randomBytes(1_000_000);
    const before = await objectCount();
    const first = await upload(ALICE, 'shared.pdf', data);
    const again = await upload(ALICE, 'shared.pdf', data);
    expect(again.data).toMatchObject({ fileId: first.data.fileId, existed: true });
    const bobs = await upload(BOB, 'copy.pdf', data);
    expect(bobs.reply.status).toBe(201);
    expect(await objectCount()).toBe(before + 1);
    // Alice deletes hers (the trash, then for good): bob still reads his.
    const trashed = await send(ALICE, 'DELETE', `/api/files/${first.data.fileId}`);
    expect(json(trashed).data).toEqual({ fileId: first.data.fileId, permanent: false });
    expect((await send(ALICE, 'GET', `/api/files/${first.data.fileId}`)).status).toBe(404);
    const gone = await send(ALICE, 'DELETE', `/api/files/${first.data.fileId}`);
    expect(json(gone).data).toEqual({ fileId: first.data.fileId, permanent: true });
    const still = await send(BOB, 'GET', `/api/files/${bobs.data.fileId}`);
    expect(still.body.equals(data)).toBe(true);
    expect(await objectCount()).toBe(before + 1);
    // The last reference takes the bytes.
    await send(BOB, 'DELETE', `/api/files/${bobs.data.fileId}?permanent=true`);
    expect(await objectCount()).toBe(before);
  });

  it('keeps tenants apart: no route reaches another tenant’s files', async () => {
    const data = randomBytes(5_000);
    const { data: file } = await upload(ALICE, 'private.pdf', data);
    const blobId = contentId('b', data);
    for (const path of [
      `/api/files/${file.fileId}`,
      `/api/files/${file.fileId}/metadata`,
      `/api/files/${file.fileId}/descriptor`,
      `/api/files/variant/${blobId}`,
    ]) {
      expect([path, (await send(BOB, 'GET', path)).status]).toEqual([path, 404]);
      // Bob's token at alice's address is not a token of alice's.
      expect([path, (await send(ALICE, 'GET', path, { token: stack.tokens[BOB] })).status]).toEqual(
        [path, 401],
      );
    }
    expect((await send(BOB, 'DELETE', `/api/files/${file.fileId}`)).status).toBe(404);
    const bobsList = json(await send(BOB, 'GET', '/api/files')).data as { fileId: string }[];
    expect(bobsList.map((f) => f.fileId)).not.toContain(file.fileId);
    expect((await send(ALICE, 'GET', `/api/files/${file.fileId}`)).status).toBe(200);
    expect((await send(ALICE, 'GET', '/api/files', { token: null })).status).toBe(401);
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const before = await objectCount();
    const small = randomBytes(100);
    const cases: [string, Promise<{ reply: Reply; code: string | undefined }>, number, string][] = [
      [
        'wrong MIME for the preset',
        upload(ALICE, 'a.pdf', small, 'application/pdf', 'video'),
        415,
        'E-CORE-UNSUPPORTED',
      ],
      [
        'unknown preset',
        upload(ALICE, 'a.pdf', small, 'application/pdf', 'nope'),
        400,
        'E-VAL-INVALID',
      ],
      ['malformed MIME', upload(ALICE, 'a.pdf', small, 'pdf'), 400, 'E-VAL-INVALID'],
      [
        'over the size cap',
        upload(ALICE, 'big.pdf', randomBytes(2 * 1024 * 1024 + 1)),
        413,
        'E-CORE-TOOLARGE',
      ],
      ['a path in the name', upload(ALICE, '../etc/passwd', small), 400, 'E-VAL-INVALID'],
      ['a control character', upload(ALICE, 'a\u0000b.pdf', small), 400, 'E-VAL-INVALID'],
      ['a newline', upload(ALICE, 'a\nb.pdf', small), 400, 'E-VAL-INVALID'],
      ['a direction override', upload(ALICE, 'fdp.\u202eexe', small), 400, 'E-VAL-INVALID'],
    ];
    for (const [what, pending, status, code] of cases) {
      const { reply, code: got } = await pending;
      expect([what, reply.status, got]).toEqual([what, status, code]);
    }
    for (const path of [
      '/api/files/variant/b1~short',
      '/api/files/f1~nope',
      '/api/files/a1~' + 'x'.repeat(43),
    ]) {
      const reply = await send(ALICE, 'GET', path);
      expect([path, reply.status, json(reply).error?.code]).toEqual([path, 400, 'E-VAL-INVALID']);
    }
    expect(await objectCount()).toBe(before);
  });

  it('an upload streamed past the cap without a length is cut off and leaves nothing', async () => {
    const before = await objectCount();
    const reply = await send(ALICE, 'POST', '/api/files/default/chunked.pdf', {
      headers: { 'Content-Type': 'application/pdf', 'Transfer-Encoding': 'chunked' },
      body: randomBytes(3 * 1024 * 1024),
    });
    expect([reply.status, json(reply).error?.code]).toEqual([413, 'E-CORE-TOOLARGE']);
    expect(await objectCount()).toBe(before);
  });

  it('a client that disconnects mid-upload leaves no file, and no object after garbage collection', async () => {
    const filesBefore = (json(await send(ALICE, 'GET', '/api/files')).data as unknown[]).length;
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: stack.gatewayPort,
        method: 'POST',
        path: '/api/files/default/cut.pdf',
        headers: {
          Host: `cl-o.${ALICE}`,
          Authorization: `Bearer ${stack.tokens[ALICE]}`,
          'Content-Type': 'application/pdf',
          'Content-Length': String(1024 * 1024),
        },
      });
      req.on('error', () => resolve());
      req.write(randomBytes(300_000), () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200),
      );
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((json(await send(ALICE, 'GET', '/api/files')).data as unknown[]).length).toBe(
      filesBefore,
    );
    // Whatever the store kept of it goes with the next collection after the grace period.
    now += stack.config.gc.graceMs + 60_000;
    await stack.blob.get(GarbageCollector).collect();
    const kept = await waitFor(async () => {
      const n = await objectCount();
      const files = json(await send(ALICE, 'GET', '/api/files')).data as unknown[];
      return n === files.length ? n : undefined;
    });
    expect(kept).toBe(filesBefore);
  });

  it('refuses an upload the tenant’s quota cannot take (413) and leaves nothing', async () => {
    const before = await objectCount();
    const used = await usage(ALICE);
    const quota = stack.config.limits.tenantQuotaBytes;
    // Fill most of what is left with files under the size cap, then one more that does not fit.
    const chunk = 2 * 1024 * 1024 - 1;
    let left = quota - used;
    while (left > chunk) {
      expect((await upload(ALICE, `fill-${left}.pdf`, randomBytes(chunk))).reply.status).toBe(201);
      left -= chunk;
    }
    const over = await upload(ALICE, 'over.pdf', randomBytes(left + 1));
    expect([over.reply.status, over.code]).toEqual([413, 'E-CORE-TOOLARGE']);
    expect(await objectCount()).toBe(before + Math.floor((quota - used) / chunk));
    expect(await usage(ALICE)).toBeLessThanOrEqual(quota);
  });
});
