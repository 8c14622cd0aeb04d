import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineRequest } from '../define';

/**
 * A tenant's published public key (protocol §1.4), local or remote: E-CORE-NOTFOUND when the key
 * is not published, E-SYS-UNAVAIL while the peer cannot be read (negative cache). `refresh` asks
 * for a refetch after a signature failed against the cached key (at most once a minute per peer).
 */
export const resolveKey = defineRequest({
  subject: 'identity.key.resolve.v1',
  request: z.object({
    idTag: idTagSchema,
    keyId: z.string().min(1).max(32),
    refresh: z.boolean().default(false),
  }),
  response: z.object({ publicKey: z.string().min(1), expiresAt: z.string().optional() }),
  timeoutMs: 12_000,
});
