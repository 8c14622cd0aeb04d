import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { contentId } from '@cloudillo/crypto';
import { testInfra, uniqueName } from '@cloudillo/testing';

import { S3BlobStore, TooLargeError, uploadHashed } from '../src';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A source that yields `chunks` and then fails, as a client that disconnects mid-upload. */
function brokenSource(chunks: Buffer[]): Readable {
  return Readable.from(
    (async function* () {
      for (const chunk of chunks) yield chunk;
      throw new Error('client went away');
    })(),
  );
}

describe('S3 blob store against the real S3 server (Ceph RGW locally)', () => {
  const { s3 } = testInfra();
  const store = new S3BlobStore({ ...s3, bucket: uniqueName('storage').replaceAll('_', '-') });

  beforeAll(() => store.ensureBucket());
  afterAll(() => store.destroyBucket());

  it('destroys a bucket with what it holds (test and bench deployments give the space back)', async () => {
    const scratch = new S3BlobStore({ ...s3, bucket: uniqueName('scratch').replaceAll('_', '-') });
    await scratch.ensureBucket();
    for (const key of ['a/1', 'a/2', 'b/3'])
      await scratch.put(key, Readable.from([Buffer.from(key)]));
    await scratch.destroyBucket();
    await scratch.destroyBucket(); // nothing left to do: no error
    await scratch.ensureBucket();
    const left: string[] = [];
    for await (const object of scratch.list('')) left.push(object.key);
    expect(left).toEqual([]);
    await scratch.destroyBucket();
  });

  it('puts, stats, reads whole and by range, lists and removes', async () => {
    const data = randomBytes(300_000);
    await store.put('x/one', Readable.from([data]), 'application/octet-stream');
    expect(await store.stat('x/one')).toMatchObject({ key: 'x/one', size: data.length });
    expect((await bytesOf(await store.get('x/one'))).equals(data)).toBe(true);
    const part = await bytesOf(await store.get('x/one', { start: 1000, end: 1999 }));
    expect(part.equals(data.subarray(1000, 2000))).toBe(true);
    const listed: string[] = [];
    for await (const object of store.list('x/')) listed.push(object.key);
    expect(listed).toEqual(['x/one']);
    await store.remove(['x/one', 'x/never-there']);
    expect(await store.stat('x/one')).toBeUndefined();
  });

  it('hashes while uploading: the id is the SHA-256 of the bytes, in parts beyond one part size', async () => {
    const data = randomBytes(12 * 1024 * 1024 + 17); // more than one 8 MiB part
    const chunks = [data.subarray(0, 1), data.subarray(1, 5_000_000), data.subarray(5_000_000)];
    const result = await uploadHashed(store, 'u/big', Readable.from(chunks), 64 * 1024 * 1024);
    expect(result).toEqual({ blobId: contentId('b', data), size: data.length });
    expect(await store.stat('u/big')).toMatchObject({ size: data.length });
    await store.remove(['u/big']);
  });

  it('leaves nothing behind when the source passes the limit or breaks off', async () => {
    await expect(
      uploadHashed(store, 'u/too-big', Readable.from([randomBytes(600_000)]), 500_000),
    ).rejects.toBeInstanceOf(TooLargeError);
    expect(await store.stat('u/too-big')).toBeUndefined();
    await expect(
      uploadHashed(store, 'u/broken', brokenSource([randomBytes(9 * 1024 * 1024)]), 1 << 30),
    ).rejects.toThrow('client went away');
    expect(await store.stat('u/broken')).toBeUndefined();
  });

  it('copies the bytes to a local file while uploading; a copy that fails fails the upload, leaving nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hashed-copy-'));
    try {
      const data = randomBytes(9 * 1024 * 1024 + 5); // past one part, in many small chunks
      const chunks: Buffer[] = [];
      for (let at = 0; at < data.length; at += 64 * 1024)
        chunks.push(data.subarray(at, at + 64 * 1024));
      const path = join(dir, 'copy');
      const result = await uploadHashed(
        store,
        'u/copied',
        Readable.from(chunks),
        1 << 30,
        undefined,
        createWriteStream(path),
      );
      expect(result).toEqual({ blobId: contentId('b', data), size: data.length });
      // Complete as soon as the upload resolves: a tool may read it at once.
      expect((await readFile(path)).equals(data)).toBe(true);
      await store.remove(['u/copied']);

      // A copy that cannot be written (its directory is gone): the upload fails, no object stays.
      const broken = createWriteStream(join(dir, 'missing', 'copy'));
      await expect(
        uploadHashed(store, 'u/uncopied', Readable.from(chunks), 1 << 30, undefined, broken),
      ).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await store.stat('u/uncopied')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('part buffers, reused across uploads, never mix one upload’s bytes into another’s', async () => {
    const parts = 5 * 1024 * 1024; // S3's smallest part: more parts per upload
    const shared = new S3BlobStore({ ...s3, bucket: store.bucket, partSizeBytes: parts });
    const read = async (key: string) => bytesOf(await shared.get(key));
    const one = randomBytes(3 * parts + 1_000);
    const two = randomBytes(2 * parts + 7);
    // Two at once, then one that breaks off mid-way, then another: each reads back as written.
    await Promise.all([
      shared.put('p/one', Readable.from([one])),
      shared.put('p/two', Readable.from([two])),
    ]);
    await expect(
      uploadHashed(shared, 'p/broken', brokenSource([randomBytes(2 * parts)]), 1 << 30),
    ).rejects.toThrow('client went away');
    const three = randomBytes(parts + 3);
    await shared.put('p/three', Readable.from([three]));
    expect((await read('p/one')).equals(one)).toBe(true);
    expect((await read('p/two')).equals(two)).toBe(true);
    expect((await read('p/three')).equals(three)).toBe(true);
    await shared.remove(['p/one', 'p/two', 'p/three']);
  });
});
