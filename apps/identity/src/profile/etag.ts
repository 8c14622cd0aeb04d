import { shortHash } from '@cloudillo/crypto';

/** Strong ETag of a serialised profile: base64url of the first 8 bytes of its SHA-256 (protocol §1.2). */
export function profileEtag(serialized: string): string {
  return `"${shortHash(serialized, 8)}"`;
}
