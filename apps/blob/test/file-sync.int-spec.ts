import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';

import { syncFile } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { dataOf, freePort, waitFor } from '@cloudillo/testing';
import sharp from 'sharp';

import { type BlobStack, startBlobStack } from './blob-stack';
import { bytesCall } from './bytes-call';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const MALLORY = 'mallory.localhost';

/** A peer that serves a well-formed descriptor whose variant bytes are not the ones it names. */
function lyingPeer(port: number) {
  const real = Buffer.from('the real bytes');
  const served = Buffer.from('other bytes!!!'); // same length, different hash
  const blobId = contentId('b', real);
  const descriptor = `d2,orig:${blobId}:f=plain:s=${real.length}`;
  const fileId = contentId('f', descriptor);
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === `/api/files/${fileId}/descriptor`)
      return send(200, { data: { file: descriptor } });
    if (req.url === `/api/files/${fileId}/metadata`)
      return send(200, { data: { fileName: 'lie.txt', contentType: 'text/plain' } });
    if (req.url === `/api/files/variant/${blobId}`) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return res.end(served);
    }
    send(404, { error: { code: 'E-CORE-NOTFOUND', message: 'no' } });
  });
  return {
    fileId,
    listen: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
    server,
  };
}

describe('federated file sync: descriptor, metadata and variants from a peer, every hash checked (protocol §5.5)', () => {
  let stack: BlobStack;
  let liar: ReturnType<typeof lyingPeer>;

  beforeAll(async () => {
    const port = await freePort();
    liar = lyingPeer(port);
    await liar.listen();
    stack = await startBlobStack({
      tenants: [ALICE, BOB],
      peers: { [MALLORY]: `http://127.0.0.1:${port}` },
    });
  });

  afterAll(async () => {
    await stack?.close();
    liar?.server.close();
  });

  const as = (idTag: string, method: string, path: string, body?: unknown) =>
    stack.call(idTag, method, path, {
      token: stack.tokens[idTag],
      ...(body === undefined ? {} : { body }),
    });
  const sync = (tenant: string, fileId: string, from: string, full?: boolean) =>
    stack.identity.rpc.request(syncFile, {
      tenant,
      fileId,
      from,
      ...(full === undefined ? {} : { full }),
    });

  it('keeps a media file’s original as metadata only, unless the sync is full (the audience’s)', async () => {
    const jpeg = await sharp({
      create: { width: 1600, height: 1200, channels: 3, background: { r: 10, g: 140, b: 90 } },
    })
      .jpeg()
      .toBuffer();
    const upload = await bytesCall(
      stack,
      ALICE,
      'POST',
      '/api/files/default/field.jpg?visibility=P',
      {
        body: jpeg,
        headers: { 'Content-Type': 'image/jpeg' },
      },
    );
    expect(upload.status).toBe(201);
    const fileId = await waitFor(
      async () =>
        dataOf<{ fileId: string; fileName: string }[]>(await as(ALICE, 'GET', '/api/files')).find(
          (f) => f.fileName === 'field.jpg' && f.fileId.startsWith('f1~'),
        )?.fileId,
      20_000,
      'the image’s content id',
    );
    const descriptor = dataOf<{ file: string }>(
      await as(ALICE, 'GET', `/api/files/${fileId}/descriptor`),
    ).file;
    const origBlob = /(?:^d2,|;)orig:(b1~[A-Za-z0-9_-]{43})/.exec(descriptor)?.[1] ?? '';
    expect(origBlob).not.toBe('');
    const origAtBob = async () =>
      (await bytesCall(stack, BOB, 'GET', `/api/files/variant/${origBlob}`)).status;

    expect(await sync(BOB, fileId, ALICE)).toEqual({ fileId, existed: false });
    // The same file (the descriptor names the original), shown by its largest tier kept here.
    expect(dataOf(await as(BOB, 'GET', `/api/files/${fileId}/descriptor`))).toEqual({
      file: descriptor,
    });
    expect(await origAtBob()).toBe(404);
    const shown = await bytesCall(stack, BOB, 'GET', `/api/files/${fileId}?variant=orig`);
    expect(shown.status).toBe(200);
    expect(shown.headers['x-cloudillo-variant']).not.toBe(origBlob);
    expect(descriptor).toContain(`:${String(shown.headers['x-cloudillo-variant'])}:`);

    // The audience of an action with it keeps everything: the original comes now.
    expect(await sync(BOB, fileId, ALICE, true)).toEqual({ fileId, existed: true });
    expect(await origAtBob()).toBe(200);
    const orig = await bytesCall(stack, BOB, 'GET', `/api/files/${fileId}?variant=orig`);
    expect(orig.headers['x-cloudillo-variant']).toBe(origBlob);
    expect(contentId('b', orig.body)).toBe(origBlob);
  });

  it('brings a public file over, byte for byte, under the same id, owned by the peer', async () => {
    const data = { note: randomBytes(16).toString('hex') };
    const upload = await as(ALICE, 'POST', '/api/files/file/public.json?visibility=P', data);
    const { fileId } = dataOf<{ fileId: string }>(upload);
    expect(await sync(BOB, fileId, ALICE)).toEqual({ fileId, existed: false });
    const copy = await as(BOB, 'GET', `/api/files/${fileId}`);
    expect([copy.status, copy.json]).toEqual([200, data]);
    expect(dataOf(await as(BOB, 'GET', `/api/files/${fileId}/metadata`))).toMatchObject({
      owner: { idTag: ALICE },
      fileName: 'public.json',
    });
    expect(await sync(BOB, fileId, ALICE)).toEqual({ fileId, existed: true });
  });

  it('brings a private file only when the peer shares it with the tenant', async () => {
    const upload = await as(ALICE, 'POST', '/api/files/file/private.json', { secret: true });
    const { fileId } = dataOf<{ fileId: string }>(upload);
    await expect(sync(BOB, fileId, ALICE)).rejects.toMatchObject({ code: 'E-CORE-NOTFOUND' });
    await as(ALICE, 'POST', `/api/files/${fileId}/shares`, {
      subjectType: 'U',
      subjectId: BOB,
      permission: 'R',
    });
    expect(await sync(BOB, fileId, ALICE)).toEqual({ fileId, existed: false });
  });

  it('refuses bytes that do not match their hash, keeping nothing', async () => {
    await expect(sync(BOB, liar.fileId, MALLORY)).rejects.toMatchObject({ code: 'E-VAL-INVALID' });
    expect((await as(BOB, 'GET', `/api/files/${liar.fileId}/metadata`)).status).toBe(404);
    // A file id the descriptor does not hash to is refused before any byte is fetched.
    const wrongId = contentId('f', 'something else');
    await expect(sync(BOB, wrongId, MALLORY)).rejects.toMatchObject({ code: 'E-CORE-NOTFOUND' });
  });
});
