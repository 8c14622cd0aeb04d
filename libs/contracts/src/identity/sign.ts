import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineRequest } from '../define';

/**
 * Signs claims as an ES384 JWT with the tenant's newest key. Identity sets `iss` (the tenant) and
 * `k` (the key id), and `iat` when absent; private keys never leave identity. In deployment only
 * access-token and action-federation may publish to this subject (NATS permissions).
 */
export const signWithTenantKey = defineRequest({
  subject: 'identity.key.sign.v1',
  request: z.object({
    idTag: idTagSchema,
    claims: z
      .record(z.string(), z.unknown())
      .refine((claims) => !('iss' in claims) && !('k' in claims), 'iss and k are set by identity'),
  }),
  response: z.object({ token: z.string().min(1), keyId: z.string().min(1) }),
  timeoutMs: 5_000,
});
