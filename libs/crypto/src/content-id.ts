import { createHash, type Hash } from 'node:crypto';

import { decodeBase64urlStrict } from './base64url';

/**
 * Content-id prefixes (protocol §3.1): `a` action token, `b` blob bytes, `f` file descriptor,
 * `r` hashed ref id. The `1` after the prefix is the hash version (SHA-256).
 */
export const CONTENT_ID_PREFIXES = ['a', 'b', 'f', 'r'] as const;
export type ContentIdPrefix = (typeof CONTENT_ID_PREFIXES)[number];

const DIGEST_BYTES = 32;
const SHAPE = /^([abfr])1~([A-Za-z0-9_-]{43})$/;

function format(prefix: ContentIdPrefix, digest: Buffer): string {
  return `${prefix}1~${digest.toString('base64url')}`;
}

/** `{prefix}1~` + base64url-nopad(SHA-256(data)); strings are hashed as their UTF-8 bytes. */
export function contentId(prefix: ContentIdPrefix, data: string | Uint8Array): string {
  return format(prefix, createHash('sha256').update(data).digest());
}

/** Hashes data as it streams past, for hash-while-upload; `size` counts the bytes seen. */
export class ContentHasher {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly prefix: ContentIdPrefix) {}

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  get size(): number {
    return this.bytes;
  }

  /** The content id of everything seen; the hasher cannot be used afterwards. */
  digest(): string {
    return format(this.prefix, this.hash.digest());
  }
}

/** The content id and size of a whole stream (a Node Readable or any async iterable of bytes). */
export async function contentIdOfStream(
  prefix: ContentIdPrefix,
  stream: AsyncIterable<Uint8Array | string>,
): Promise<{ id: string; size: number }> {
  const hasher = new ContentHasher(prefix);
  for await (const chunk of stream) {
    hasher.update(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return { size: hasher.size, id: hasher.digest() };
}

export interface ParsedContentId {
  prefix: ContentIdPrefix;
  digest: Buffer;
}

/** Parses a content id, or returns undefined for anything that is not one canonical spelling. */
export function parseContentId(
  id: string,
  expected?: ContentIdPrefix,
): ParsedContentId | undefined {
  const match = SHAPE.exec(id);
  if (!match) return undefined;
  const prefix = match[1] as ContentIdPrefix;
  if (expected !== undefined && prefix !== expected) return undefined;
  const digest = decodeBase64urlStrict(match[2] as string);
  if (!digest || digest.length !== DIGEST_BYTES) return undefined;
  return { prefix, digest };
}

export function isContentId(id: string, expected?: ContentIdPrefix): boolean {
  return parseContentId(id, expected) !== undefined;
}
