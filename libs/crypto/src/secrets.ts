import { createHash, randomBytes } from 'node:crypto';

/** `bytes` random bytes as base64url: ids of sessions, refs, and API keys. */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 (hex) of a high-entropy secret (an API key, an activation code) for storage and lookup.
 * Only for random secrets: passwords need a slow hash (argon2).
 */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
