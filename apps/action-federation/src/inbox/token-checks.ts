import { contentId, decodeUnverifiedClaims } from '@cloudillo/crypto';
import {
  type ActionTokenClaims,
  receivedActionTokenClaimsSchema,
  type ActionTypeRegistry,
  AppError,
  ValidationError,
} from '@cloudillo/protocol';

/** The most a token may be (the reference caps nothing; 1 MiB leaves room for every built-in type). */
export const MAX_TOKEN_BYTES = 1024 * 1024;

export interface CheckedToken {
  actionId: string;
  claims: ActionTokenClaims;
  dedupKey?: string;
}

/**
 * What the inbox can tell before it spends a signature check (protocol §2.7 steps 3–4, plus ours):
 * a compact JWT whose claims fit the protocol, a known type whose rules the claims keep, addressed
 * (when `aud` is set) to this tenant. Bad input is a 4xx here, never a stored row.
 */
export function checkToken(
  token: string,
  tenant: string,
  registry: ActionTypeRegistry,
  options: { related?: boolean } = {},
): CheckedToken {
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES)
    throw new AppError('E-CORE-TOOLARGE', 'action token too large');
  let raw: unknown;
  try {
    raw = decodeUnverifiedClaims(token);
  } catch {
    throw new ValidationError('not a compact JWT with a JSON object payload');
  }
  const parsed = receivedActionTokenClaimsSchema.safeParse(raw);
  if (!parsed.success)
    throw new ValidationError('action token claims do not fit the protocol', parsed.error.issues);
  const claims = parsed.data;
  const check = registry.check(claims);
  if (!check.ok) throw new ValidationError(check.reason);
  if (check.definition.behaviour?.tokenExchangeOnly || check.definition.behaviour?.localOnly) {
    throw new ValidationError(`${claims.t} is not delivered to inboxes`);
  }
  // Beyond the reference: an addressed action is only taken by its addressee (a related token,
  // e.g. the post a REPOST shares, may be addressed to someone else).
  if (claims.aud !== undefined && claims.aud !== tenant && !options.related) {
    throw new ValidationError(`this action is addressed to ${claims.aud}, not ${tenant}`);
  }
  const dedupKey = registry.dedupKey(claims);
  return { actionId: contentId('a', token), claims, ...(dedupKey ? { dedupKey } : {}) };
}
