import { type Response } from 'express';
import {
  STORE_READ_OFFER,
  STORE_READ_RANGE,
  STORE_READ_TTL_SECONDS,
  STORE_READ_URL,
} from '@cloudillo/http';
import { UnavailableError } from '@cloudillo/protocol';
import { type BlobStore, type ByteRange } from '@cloudillo/storage';

import { parseRange, UnsatisfiableRange } from './byte-range';
import { FILE_SECURITY_HEADERS, servedType } from './served-type';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Sends stored bytes (protocol §5.1 reads): one `Range` as 206, an unsatisfiable one as 416;
 * content-addressed bytes never change, so they may be cached for a year. Every answer carries
 * `FILE_SECURITY_HEADERS` (a sandbox CSP: no script of a file runs in our origin) and is inline
 * only for inert types (`servedType`), an attachment otherwise. How the bytes travel:
 * - direct reads (`directTtlSeconds`): a 307 to a signed URL of the store (the store serves ranges
 *   itself); only for types that need no CSP, which a signed URL cannot carry;
 * - when the gateway offers to read from the store itself (`STORE_READ_OFFER`, see
 *   `@cloudillo/http`): the answer's status and headers, with where the bytes are, and no body;
 * - otherwise streamed from the store through this service.
 */
export async function sendObject(
  res: Response,
  store: BlobStore,
  object: { key: string; size: number; contentType: string },
  rangeHeader: string | undefined,
  headers: Record<string, string> = {},
  directTtlSeconds?: number,
): Promise<void> {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  for (const [name, value] of Object.entries(FILE_SECURITY_HEADERS)) res.setHeader(name, value);
  const served = servedType(object.contentType);
  const disposition = served.inline ? 'inline' : 'attachment';
  res.setHeader('Content-Disposition', disposition);
  if (directTtlSeconds !== undefined && served.direct) {
    const url = await store.signedGetUrl(object.key, {
      expiresSeconds: directTtlSeconds,
      responseHeaders: {
        'response-content-type': served.type,
        'response-content-disposition': disposition,
        'response-cache-control': IMMUTABLE,
      },
    });
    // The redirect is only good while its URL is: never cached longer than half of that.
    res.setHeader('Cache-Control', `private, max-age=${Math.floor(directTtlSeconds / 2)}`);
    res.redirect(307, url);
    return;
  }
  let range;
  try {
    range = parseRange(rangeHeader, object.size);
  } catch (error) {
    if (error instanceof UnsatisfiableRange)
      res.setHeader('Content-Range', `bytes */${error.size}`);
    throw error;
  }
  if (res.req.headers[STORE_READ_OFFER] === '1') {
    const url = await store.signedGetUrl(object.key, {
      expiresSeconds: STORE_READ_TTL_SECONDS,
      internal: true,
    });
    describeContent(res, served.type, object.size, range);
    res.setHeader(STORE_READ_URL, url);
    if (range) res.setHeader(STORE_READ_RANGE, `bytes=${range.start}-${range.end}`);
    res.setHeader('Content-Length', '0');
    res.end();
    return;
  }
  const length = String(range ? range.end - range.start + 1 : object.size);
  if (res.req.method === 'HEAD') {
    // Node would drop a body written to a HEAD answer, but only after it was read from the store.
    describeContent(res, served.type, object.size, range);
    res.setHeader('Content-Length', length);
    res.end();
    return;
  }
  const stream = await store.get(object.key, range).catch((error: unknown) => {
    // The record says the bytes exist: a store that cannot give them is a fault on our side.
    throw new UnavailableError('the stored bytes cannot be read', error);
  });
  describeContent(res, served.type, object.size, range);
  res.setHeader('Content-Length', length);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Status and headers of a read's answer, whoever sends its bytes. */
function describeContent(
  res: Response,
  type: string,
  size: number,
  range: ByteRange | undefined,
): void {
  res.status(range ? 206 : 200);
  res.setHeader('Content-Type', type);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', IMMUTABLE);
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
}
