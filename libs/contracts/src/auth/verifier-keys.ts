import { z } from 'zod';

import { defineEvent, defineRequest } from '../define';

const publishedKey = z.object({
  kid: z.string().min(1).max(64),
  /** Ed25519 SPKI DER, base64. */
  publicKey: z.string().min(1).max(200),
  /** Unix seconds after which nothing signed with it can still be valid; absent for the signing key. */
  retiresAt: z.number().int().optional(),
});

/**
 * The access-token service's public verification keys: every service asks once, then keeps them
 * fresh from `access-token.keys.changed.v1`. No shared secret is spread across services.
 */
export const accessTokenKeys = defineRequest({
  subject: 'access-token.keys.list.v1',
  request: z.object({}),
  response: z.object({ keys: z.array(publishedKey) }),
  timeoutMs: 3_000,
});

export const accessTokenKeysChanged = defineEvent({
  subject: 'access-token.keys.changed.v1',
  payload: z.object({ keys: z.array(publishedKey) }),
});
