import { createServer, type Server } from 'node:http';

import { syncFile } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { freePort } from '@cloudillo/testing';

import { type BlobStack, startBlobStack } from './blob-stack';
import { bytesCall, uploadFile } from './bytes-call';

const ALICE = 'alice.localhost';
const MALLORY = 'mallory.localhost';
const PAGE = Buffer.from('<html><script>fetch("/api/auth/access-token")</script></html>');
const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8" onload="fetch(\'/api/refs\')"><rect width="8" height="8"/></svg>',
);
/** What the peer serves: its own bytes, so that its file is not one Alice already holds. */
const PEER_PAGE = Buffer.from('<html><script>alert("from a peer")</script></html>');

/** A peer that serves a real file (its bytes hash right) under whatever type it claims. */
function claimingPeer(port: number) {
  let claimed = 'text/plain';
  const blobId = contentId('b', PEER_PAGE);
  const descriptor = `d2,orig:${blobId}:f=html:s=${PEER_PAGE.length}`;
  const fileId = contentId('f', descriptor);
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === `/api/files/${fileId}/descriptor`)
      return json(200, { data: { file: descriptor } });
    if (req.url === `/api/files/${fileId}/metadata`)
      return json(200, { data: { fileName: 'page.html', contentType: claimed } });
    if (req.url === `/api/files/variant/${blobId}`) return res.writeHead(200).end(PEER_PAGE);
    json(404, { error: { code: 'E-CORE-NOTFOUND', message: 'no' } });
  });
  return {
    fileId,
    claim: (type: string) => (claimed = type),
    listen: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
    server,
  };
}

/**
 * Files cannot run script on the tenant's API origin (issue 21): every file answer is sandboxed
 * and not sniffed, only inert types are inline, and a synced file's type is checked like an
 * upload's. On the code before (128c2f8), HTML, XML, XHTML and case variants of SVG were served
 * inline without a CSP, and a peer's claimed type was stored as it came.
 */
describe('file serving: no file becomes a page of the API origin', () => {
  let stack: BlobStack;
  let peer: ReturnType<typeof claimingPeer>;

  beforeAll(async () => {
    const port = await freePort();
    peer = claimingPeer(port);
    await peer.listen();
    stack = await startBlobStack({
      tenants: [ALICE],
      peers: { [MALLORY]: `http://127.0.0.1:${port}` },
    });
  });

  afterAll(async () => {
    await stack?.close();
    peer?.server.close();
  });

  const read = (fileId: string) => bytesCall(stack, ALICE, 'GET', `/api/files/${fileId}`);
  const uploaded = (name: string, type: string, body = PAGE) =>
    uploadFile(stack, ALICE, name, body, type);
  const sandboxed = {
    'content-security-policy': "sandbox; default-src 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };

  it.each([
    ['page.html', 'text/html', PAGE],
    ['page.xhtml', 'application/xhtml+xml', PAGE],
    ['data.xml', 'text/xml', PAGE],
    ['drawing.svg', 'Image/SVG+xml', SVG],
  ])('serves %s (%s) sandboxed, as an attachment', async (name, type, body) => {
    const reply = await bytesCall(
      stack,
      ALICE,
      'GET',
      `/api/files/${await uploaded(name, type, body)}?variant=orig`,
    );
    expect(reply.status).toBe(200);
    expect(reply.headers).toMatchObject({ ...sandboxed, 'content-disposition': 'attachment' });
    expect(reply.body.equals(body)).toBe(true);
  });

  it.each([
    ['notes.txt', 'text/plain'],
    ['report.pdf', 'application/pdf'],
  ])('serves %s (%s) inline, sandboxed all the same', async (name, type) => {
    const reply = await read(await uploaded(name, type, Buffer.from('inert bytes')));
    expect(reply.status).toBe(200);
    expect(reply.headers).toMatchObject({ ...sandboxed, 'content-disposition': 'inline' });
  });

  it('takes a ?token= only to read a file, never to change one', async () => {
    const fileId = await uploaded('kept.txt', 'text/plain', Buffer.from('kept'));
    const withQuery = (method: string) =>
      bytesCall(stack, ALICE, method, `/api/files/${fileId}?token=${stack.tokens[ALICE]}`, {
        token: null,
      });
    expect((await withQuery('GET')).status).toBe(200);
    expect((await withQuery('DELETE')).status).toBe(401);
    expect((await read(fileId)).status).toBe(200);
  });

  it('checks a synced file’s claimed type like an upload’s: normalised, or refused', async () => {
    const sync = () =>
      stack.identity.rpc.request(syncFile, { tenant: ALICE, fileId: peer.fileId, from: MALLORY });
    peer.claim('not a type<script>');
    await expect(sync()).rejects.toMatchObject({ status: expect.any(Number) });
    expect((await read(peer.fileId)).status).toBe(404);
    peer.claim('TEXT/HTML; charset=utf-8');
    await sync();
    const reply = await read(peer.fileId);
    expect(reply.headers).toMatchObject({
      ...sandboxed,
      'content-type': expect.stringMatching(/^text\/html/),
      'content-disposition': 'attachment',
    });
  });
});
