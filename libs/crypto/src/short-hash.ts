import { createHash } from 'node:crypto';

/** base64url of the first `bytes` bytes of SHA-256: ETags and other non-identity fingerprints. */
export function shortHash(data: string | Uint8Array, bytes = 8): string {
  return createHash('sha256').update(data).digest().subarray(0, bytes).toString('base64url');
}
