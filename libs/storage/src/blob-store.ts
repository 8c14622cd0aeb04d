import { type Readable } from 'node:stream';

/** A byte range, both ends inclusive (as HTTP `Range: bytes=start-end` means it). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface SignedGetUrlOptions {
  expiresSeconds: number;
  /** S3 `response-*` overrides the store answers with, e.g. `response-content-type`. */
  responseHeaders?: Record<string, string>;
  /** Signed for the address the services use instead of the store's public one. */
  internal?: boolean;
}

/**
 * Where blob bytes live (the port): an S3-compatible bucket in deployments (MinIO) and locally
 * (Ceph RADOS Gateway). Keys are opaque to callers' users; content addressing is the metadata's.
 */
export interface BlobStore {
  /** Writes a stream under `key` (multipart beyond one part); rejects if the stream errors. */
  put(key: string, body: Readable, contentType?: string): Promise<void>;
  /** The bytes under `key`, or one range of them. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size and time, or undefined when there is no such object. */
  stat(key: string): Promise<StoredObject | undefined>;
  /** Removes an object and any unfinished multipart upload of it (a failed write). */
  discard(key: string): Promise<void>;
  /** Removes objects; missing ones are not an error. */
  remove(keys: string[]): Promise<void>;
  /**
   * A URL that lets whoever holds it GET the object straight from the store until it expires,
   * answered with the given response headers (S3 `response-content-type`, `response-cache-control`).
   * For clients it is signed for the store's public address; `internal` signs it for the address
   * the services use (the gateway's store reads).
   */
  signedGetUrl(key: string, options: SignedGetUrlOptions): Promise<string>;
  /** Objects under a prefix (for garbage collection), oldest pages first as the store lists them. */
  list(prefix: string): AsyncIterable<StoredObject>;
}
