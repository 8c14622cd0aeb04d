import { type Readable } from 'node:stream';

import { Client } from 'minio';

import {
  type BlobStore,
  type ByteRange,
  type SignedGetUrlOptions,
  type StoredObject,
} from './blob-store';

export interface S3Options {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  /**
   * Multipart part size: what one upload buffers at most (the client holds one part in memory),
   * so it bounds the memory of an upload whatever the file size. S3's minimum is 5 MiB.
   */
  partSizeBytes?: number;
  /**
   * The store's address as clients reach it, for signed read URLs (`signedGetUrl`); the
   * signature covers the host, so it is signed for that address. Default: `endpoint`.
   */
  publicEndpoint?: string;
}

function clientFor(endpoint: string, options: S3Options): Client {
  const url = new URL(endpoint);
  const secure = url.protocol === 'https:';
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    useSSL: secure,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    // Known region: signing never asks the store for it (presigning stays offline).
    region: options.region,
    pathStyle: true,
    partSize: options.partSizeBytes ?? 8 * 1024 * 1024,
  });
}

/**
 * Part buffers kept between uploads. Allocating fresh 8 MiB buffers for every upload and leaving
 * them to the garbage collector makes a busy service's memory climb in steps (dead buffers wait for
 * a GC, and the allocator keeps much of what it got); reusing one upload's worth keeps it flat.
 * Bounded: beyond `maxIdle`, returned buffers are let go.
 */
class PartBuffers {
  private readonly idle: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly maxIdle: number,
  ) {}

  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** Only once nothing reads them any more (no part upload in flight). */
  give(buffers: Buffer[]): void {
    for (const buffer of buffers) if (this.idle.length < this.maxIdle) this.idle.push(buffer);
  }
}

/** One upload's buffers: one filling while at most two parts upload. */
const BUFFERS_PER_UPLOAD = 3;

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);

function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has((error as { code?: string }).code ?? '');
}

/** The S3 adapter (minio client, path-style addressing so any S3 works: MinIO, Ceph RGW). */
export class S3BlobStore implements BlobStore {
  private readonly client: Client;
  private readonly signer: Client;
  private readonly buffers: PartBuffers;

  constructor(private readonly options: S3Options) {
    this.client = clientFor(options.endpoint, options);
    this.signer = options.publicEndpoint ? clientFor(options.publicEndpoint, options) : this.client;
    this.buffers = new PartBuffers(this.client.partSize, BUFFERS_PER_UPLOAD);
  }

  signedGetUrl(key: string, options: SignedGetUrlOptions): Promise<string> {
    return (options.internal ? this.client : this.signer).presignedGetObject(
      this.bucket,
      key,
      options.expiresSeconds,
      options.responseHeaders ?? {},
    );
  }

  get bucket(): string {
    return this.options.bucket;
  }

  /** Creates the bucket when missing (startup; idempotent across replicas). */
  async ensureBucket(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) return;
    try {
      await this.client.makeBucket(this.bucket, this.options.region);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
    }
  }

  /**
   * Removes every object and the bucket itself: for test and bench deployments, which must give
   * the store's space back (a full store blocks every write). Never called by the services.
   */
  async destroyBucket(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) return;
    const keys: string[] = [];
    for await (const { key } of this.list('')) keys.push(key);
    for (let at = 0; at < keys.length; at += 1000) await this.remove(keys.slice(at, at + 1000));
    await this.client.removeBucket(this.bucket);
  }

  /**
   * Multipart with bounded, fixed memory: the stream is copied into part buffers of
   * `partSizeBytes` (three, reused: one filling while at most two upload, and kept for the next
   * upload), so an upload holds the same memory whatever its length. (The minio client's own streaming upload can buffer sixteen
   * parts, and for a stream of unknown length picks parts of hundreds of MiB.) A stream shorter
   * than one part is one PUT; a failure aborts the multipart upload.
   */
  async put(key: string, body: Readable, contentType?: string): Promise<void> {
    const headers = contentType ? { 'Content-Type': contentType } : {};
    const partSize = this.buffers.size;
    const owned: Buffer[] = [];
    const borrow = (): Buffer => {
      const buffer = this.buffers.take();
      owned.push(buffer);
      return buffer;
    };
    const free: Buffer[] = [];
    let current = borrow();
    let filled = 0;
    let uploadId: string | undefined;
    let partNumber = 0;
    const inFlight: Promise<{ part: number; etag: string; buffer: Buffer }>[] = [];
    const etags: { part: number; etag: string }[] = [];
    const settle = async (): Promise<void> => {
      const { part, etag, buffer } = await (inFlight.shift() as (typeof inFlight)[number]);
      etags.push({ part, etag });
      free.push(buffer);
    };
    const flush = async (last: boolean): Promise<void> => {
      const payload = current.subarray(0, filled);
      if (uploadId === undefined) {
        if (last) {
          await this.client.putObject(this.bucket, key, payload, payload.length, headers);
          return;
        }
        uploadId = await this.client.initiateNewMultipartUpload(this.bucket, key, headers);
      }
      if (payload.length === 0) return;
      const part = ++partNumber;
      const buffer = current;
      const upload = this.client
        .uploadPart(
          {
            bucketName: this.bucket,
            objectName: key,
            uploadID: uploadId,
            partNumber: part,
            headers: {},
          },
          payload,
        )
        .then(({ etag }) => ({ part, etag, buffer }));
      upload.catch(() => undefined); // awaited in order; never an unhandled rejection meanwhile
      inFlight.push(upload);
      if (inFlight.length >= 2) await settle();
      current = free.pop() ?? borrow();
      filled = 0;
    };
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        let at = 0;
        while (at < chunk.length) {
          const take = Math.min(partSize - filled, chunk.length - at);
          chunk.copy(current, filled, at, at + take);
          filled += take;
          at += take;
          if (filled === partSize) await flush(false);
        }
      }
      await flush(true);
      if (uploadId !== undefined) {
        while (inFlight.length > 0) await settle();
        etags.sort((a, b) => a.part - b.part);
        await this.client.completeMultipartUpload(this.bucket, key, uploadId, etags);
      }
    } catch (error) {
      await Promise.allSettled(inFlight);
      if (uploadId !== undefined)
        await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => undefined);
      throw error;
    } finally {
      this.buffers.give(owned); // every part upload has settled by now
    }
  }

  get(key: string, range?: ByteRange): Promise<Readable> {
    return range
      ? this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1)
      : this.client.getObject(this.bucket, key);
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      const stat = await this.client.statObject(this.bucket, key);
      return { key, size: stat.size, lastModified: stat.lastModified };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async discard(key: string): Promise<void> {
    await this.client.removeIncompleteUpload(this.bucket, key).catch(() => undefined);
    await this.remove([key]);
  }

  async remove(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.client.removeObjects(this.bucket, keys);
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const stream = this.client.listObjectsV2(this.bucket, prefix, true);
    for await (const item of stream as AsyncIterable<{
      name?: string;
      size: number;
      lastModified?: Date;
    }>) {
      if (item.name)
        yield { key: item.name, size: item.size, lastModified: item.lastModified ?? new Date(0) };
    }
  }
}
