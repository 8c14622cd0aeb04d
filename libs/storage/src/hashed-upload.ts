import { once } from 'node:events';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { ContentHasher } from '@cloudillo/crypto';

import { type BlobStore } from './blob-store';

/** The stream went past the byte limit; nothing of it is kept. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

export interface HashedUpload {
  /** `b1~` + SHA-256 of the bytes (protocol §3.1). */
  blobId: string;
  size: number;
}

/**
 * Streams `source` into the store under `key` while hashing it (hash-while-upload: the bytes are
 * never held whole; backpressure reaches the source). If the source fails, ends early or passes
 * `limit`, the object and any multipart parts are removed before this rejects: nothing is left
 * behind. (The store's stream is always ended, never destroyed: an S3 client waiting on a
 * destroyed stream may wait forever.) With `copyTo`, the same bytes are also written there (a
 * local file a tool reads next, instead of reading the object back); it is finished when this
 * resolves, and destroyed when it rejects.
 */
export async function uploadHashed(
  store: BlobStore,
  key: string,
  source: Readable,
  limit: number,
  contentType?: string,
  copyTo?: Writable,
): Promise<HashedUpload> {
  const hasher = new ContentHasher('b');
  const sink = new PassThrough();
  const stored = store.put(key, sink, contentType);
  let failure: unknown;
  // Kept, not thrown from the event: a failed copy (a full disk) fails the upload at the next chunk.
  let copyFailure: unknown;
  copyTo?.on('error', (error) => (copyFailure ??= error));
  try {
    // Leaving the loop early must not destroy the source: that is decided below.
    for await (const chunk of source.iterator({
      destroyOnReturn: false,
    }) as AsyncIterable<Buffer>) {
      if (hasher.size + chunk.byteLength > limit) throw new TooLargeError(limit);
      hasher.update(chunk);
      if (copyFailure !== undefined) throw copyFailure;
      const copied = copyTo ? copyTo.write(chunk) : true;
      if (!sink.write(chunk)) await Promise.race([once(sink, 'drain'), stored]);
      // (`once` also rejects on the copy's error, so a failing copy is not waited on forever.)
      if (!copied && copyFailure === undefined && copyTo?.writableNeedDrain)
        await once(copyTo, 'drain');
    }
    if (copyTo) await finished(copyTo.end());
  } catch (error) {
    failure = error;
    // Past the limit the rest is read and dropped, so the refusal can still be answered on this
    // connection; a source that failed is done anyway.
    if (error instanceof TooLargeError) source.resume();
    else source.destroy();
  }
  sink.end();
  try {
    await stored;
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) {
    copyTo?.destroy();
    await store.discard(key);
    throw failure;
  }
  return { blobId: hasher.digest(), size: hasher.size };
}
