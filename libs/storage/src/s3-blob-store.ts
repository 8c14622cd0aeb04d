import { type Readable } from 'node:stream';

import { Client } from 'minio';

import { type BlobStore, type ByteRange, type StoredObject } from './blob-store';

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
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);

function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has((error as { code?: string }).code ?? '');
}

/** The S3 adapter (minio client, path-style addressing so any S3 works: MinIO, Ceph RGW). */
export class S3BlobStore implements BlobStore {
  private readonly client: Client;

  constructor(private readonly options: S3Options) {
    const url = new URL(options.endpoint);
    const secure = url.protocol === 'https:';
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      useSSL: secure,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region,
      pathStyle: true,
      partSize: options.partSizeBytes ?? 8 * 1024 * 1024,
    });
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

  async put(key: string, body: Readable, contentType?: string): Promise<void> {
    await this.client.putObject(
      this.bucket,
      key,
      body,
      undefined,
      contentType ? { 'Content-Type': contentType } : {},
    );
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
