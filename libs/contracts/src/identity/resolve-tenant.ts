import { idTagSchema, PROFILE_TYPES, TENANT_STATUSES } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineRequest } from '../define';

/**
 * Which tenant an id_tag names on this deployment, for the gateway's Host check; answers
 * E-CORE-NOTFOUND for an id_tag that is not ours.
 */
export const resolveTenant = defineRequest({
  subject: 'identity.tenant.resolve.v1',
  request: z.object({ idTag: idTagSchema }),
  response: z.object({
    tnId: z.number().int().positive(),
    idTag: z.string(),
    type: z.enum(PROFILE_TYPES),
    status: z.enum(TENANT_STATUSES),
  }),
  timeoutMs: 2_000,
});
