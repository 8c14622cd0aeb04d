import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';

import { syncFile } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { dataOf, freePort } from '@cloudillo/testing';

import { type BlobStack, startBlobStack } from './blob-stack';

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
  const sync = (tenant: string, fileId: string, from: string) =>
    stack.identity.rpc.request(syncFile, { tenant, fileId, from });

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
