import { idTagSchema, SETTING_NAMES } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineRequest } from '../define';

/**
 * A tenant's settings (defaults for those never set), for services that act on them:
 * action-federation's CONN and FLLW hooks read `profile.connection_mode` and
 * `profile.allow_followers`.
 */
export const getSettings = defineRequest({
  subject: 'identity.settings.get.v1',
  request: z.object({
    tenant: idTagSchema,
    names: z
      .array(z.enum(SETTING_NAMES as [string, ...string[]]))
      .min(1)
      .max(64),
  }),
  response: z.object({ values: z.record(z.string(), z.unknown()) }),
  timeoutMs: 3_000,
});
