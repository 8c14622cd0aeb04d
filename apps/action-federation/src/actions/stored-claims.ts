import { decodeUnverifiedClaims } from '@cloudillo/crypto';
import { type ActionTokenClaims, receivedActionTokenClaimsSchema } from '@cloudillo/protocol';

/**
 * The claims of a token this service signed or already verified (a stored action, a queued
 * delivery): decoded and shaped, not verified again.
 */
export function storedClaims(token: string): ActionTokenClaims {
  return receivedActionTokenClaimsSchema.parse(decodeUnverifiedClaims(token)) as ActionTokenClaims;
}
