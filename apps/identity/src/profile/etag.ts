import { shortHash } from '@cloudillo/crypto';

/** Strong ETag of a serialised profile: base64url of the first 8 bytes of its SHA-256 (protocol §1.2). */
export function profileEtag(serialized: string): string {
  return `"${shortHash(serialized, 8)}"`;
}

/** If-None-Match semantics (RFC 9110 §13.1.2): weak comparison, `*` matches anything. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
