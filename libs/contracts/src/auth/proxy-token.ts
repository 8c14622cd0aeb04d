import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineRequest } from '../define';

/**
 * An access token for `tenant` at `peer` (protocol §4.4: PROXY signed by identity, exchanged at
 * the peer), from access-token's per-(tenant, peer) cache: what services use to call a peer's
 * authenticated routes on the tenant's behalf (action-federation's history sync reads
 * `/api/outbox`).
 */
export const issueProxyToken = defineRequest({
  subject: 'access-token.proxy-token.issue.v1',
  request: z.object({ tenant: idTagSchema, peer: idTagSchema }),
  response: z.object({ token: z.string().min(1) }),
  timeoutMs: 20_000,
});
