import { type EventPayload, fileIdGenerated, prepareAttachments } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { waitFor } from '@cloudillo/testing';
import sharp from 'sharp';

import { type BlobStack, startBlobStack } from './blob-stack';
import { bytesCall, type BytesReply } from './bytes-call';

const ALICE = 'alice.localhost';

type Reply = BytesReply;

describe('image variants: size and thumbnail at upload, tiers from a job, then the f1~ id (sharp, real S3)', () => {
  let stack: BlobStack;
  const events: EventPayload<typeof fileIdGenerated>[] = [];
  let unsubscribe: (() => void) | undefined;

  beforeAll(async () => {
    stack = await startBlobStack({ tenants: [ALICE] });
    unsubscribe = stack.identity.rpc.subscribe(fileIdGenerated, (e) => events.push(e));
  });

  afterAll(async () => {
    unsubscribe?.();
    await stack?.close();
  });

  const send = (method: string, path: string, body?: Buffer, type?: string) =>
    bytesCall(stack, ALICE, method, path, {
      ...(body ? { body, headers: { 'Content-Type': type ?? '' } } : {}),
    });
  const data = <T>(reply: Reply) => (JSON.parse(reply.body.toString()) as { data: T }).data;
  const codeOf = (reply: Reply) =>
    (JSON.parse(reply.body.toString()) as { error?: { code: string } }).error?.code;
  const photo = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } })
      .jpeg()
      .toBuffer();
  const fileCount = async () => {
    const res = await send('GET', '/api/files');
    return data<unknown[]>(res).length;
  };

  it('answers with a temporary id, the size and a thumbnail; the job adds the tiers and announces the f1~ id', async () => {
    const jpeg = await photo(2000, 1500);
    const upload = await send('POST', '/api/files/default/photo.jpg', jpeg, 'image/jpeg');
    expect(upload.status).toBe(201);
    const result = data<{ fileId: string; dim: number[]; thumbnailVariantId: string }>(upload);
    expect(result.fileId).toMatch(/^@\d+$/);
    expect(result.dim).toEqual([2000, 1500]);
    const thumbnail = await send('GET', `/api/files/variant/${result.thumbnailVariantId}`);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    expect(await sharp(thumbnail.body).metadata()).toMatchObject({
      format: 'webp',
      width: 256,
      height: 192,
    });
    const generated = await waitFor(
      async () => events.find((e) => e.tempId === result.fileId),
      20_000,
      'FILE_ID_GENERATED',
    );
    const descriptor = data<{ file: string }>(
      await send('GET', `/api/files/${generated.fileId}/descriptor`),
    ).file;
    expect(contentId('f', descriptor)).toBe(generated.fileId);
    const variants = descriptor
      .slice('d2,'.length)
      .split(';')
      .map((v) => v.split(':'));
    expect(variants.map((v) => [v[0], v.find((p) => p.startsWith('r='))])).toEqual([
      ['vis.tn', 'r=256x192'],
      ['vis.sd', 'r=720x540'],
      ['vis.md', 'r=1280x960'],
      ['vis.hd', 'r=1920x1440'],
      ['orig', 'r=2000x1500'],
    ]);
    const sd = await send('GET', `/api/files/${generated.fileId}?variant=vis.sd`);
    expect(sd.headers['content-type']).toBe('image/webp');
    expect(await sharp(sd.body).metadata()).toMatchObject({ format: 'webp', width: 720 });
    expect(
      data<{ status: string }>(await send('GET', `/api/files/${generated.fileId}/metadata`)),
    ).toMatchObject({ status: 'A', fileName: 'photo.jpg' });
  });

  it('the same image again becomes the same file', async () => {
    const jpeg = await photo(900, 600);
    const first = data<{ fileId: string }>(
      await send('POST', '/api/files/default/a.jpg', jpeg, 'image/jpeg'),
    );
    const second = data<{ fileId: string }>(
      await send('POST', '/api/files/default/b.jpg', jpeg, 'image/jpeg'),
    );
    const ids = await waitFor(async () => {
      const a = events.find((e) => e.tempId === first.fileId);
      const b = events.find((e) => e.tempId === second.fileId);
      return a && b ? [a.fileId, b.fileId] : undefined;
    }, 20_000);
    expect(ids[0]).toBe(ids[1]);
    // The second upload's temporary id still names the file, for an action attaching it.
    const { files } = await stack.identity.rpc.request(prepareAttachments, {
      tenant: ALICE,
      fileIds: [first.fileId, second.fileId],
    });
    expect(files).toEqual([
      { given: first.fileId, fileId: ids[0] },
      { given: second.fileId, fileId: ids[0] },
    ]);
  });

  it('refuses a decompression bomb before decoding it (413) and an unreadable image (400), keeping nothing', async () => {
    const before = await fileCount();
    // 3000 × 3000 = 9 MP, past this stack's 4 MP cap, in a few kilobytes of PNG.
    const bomb = await sharp({
      create: { width: 3000, height: 3000, channels: 3, background: { r: 0, g: 0, b: 0 } },
    })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(100_000);
    const refused = await send('POST', '/api/files/default/bomb.png', bomb, 'image/png');
    expect([refused.status, codeOf(refused)]).toEqual([413, 'E-CORE-TOOLARGE']);
    const garbage = await send(
      'POST',
      '/api/files/default/fake.png',
      Buffer.from('not a png at all'),
      'image/png',
    );
    expect([garbage.status, codeOf(garbage)]).toEqual([400, 'E-VAL-INVALID']);
    expect(await fileCount()).toBe(before);
  });
});
