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

const IMMUTABLE = 'public, max-age=31536000, immutable';

const SVG = 'image/svg+xml';

/**
 * Sends stored bytes (protocol §5.1 reads): one `Range` as 206, an unsatisfiable one as 416;
 * content-addressed bytes never change, so they may be cached for a year; SVG gets a CSP that
 * keeps its scripts from running in our origin. How the bytes travel:
 * - direct reads (`directTtlSeconds`): a 307 to a signed URL of the store (the store serves ranges
 *   itself); never for SVG, whose CSP a signed URL cannot carry;
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
  if (directTtlSeconds !== undefined && object.contentType !== SVG) {
    const url = await store.signedGetUrl(object.key, {
      expiresSeconds: directTtlSeconds,
      responseHeaders: {
        'response-content-type': object.contentType,
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
    describeContent(res, object, range);
    res.setHeader(STORE_READ_URL, url);
    if (range) res.setHeader(STORE_READ_RANGE, `bytes=${range.start}-${range.end}`);
    res.setHeader('Content-Length', '0');
    res.end();
    return;
  }
  const length = String(range ? range.end - range.start + 1 : object.size);
  if (res.req.method === 'HEAD') {
    // Node would drop a body written to a HEAD answer, but only after it was read from the store.
    describeContent(res, object, range);
    res.setHeader('Content-Length', length);
    res.end();
    return;
  }
  const stream = await store.get(object.key, range).catch((error: unknown) => {
    // The record says the bytes exist: a store that cannot give them is a fault on our side.
    throw new UnavailableError('the stored bytes cannot be read', error);
  });
  describeContent(res, object, range);
  res.setHeader('Content-Length', length);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Status and headers of a read's answer, whoever sends its bytes. */
function describeContent(
  res: Response,
  object: { size: number; contentType: string },
  range: ByteRange | undefined,
): void {
  res.status(range ? 206 : 200);
  res.setHeader('Content-Type', object.contentType);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', IMMUTABLE);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (object.contentType === SVG)
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${object.size}`);
}
