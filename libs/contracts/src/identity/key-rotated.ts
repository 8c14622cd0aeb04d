import { z } from 'zod';

import { defineEvent } from '../define';

/** A tenant has a new signing key; caches of its profile or keys are stale. */
export const keyRotated = defineEvent({
  subject: 'identity.key.rotated.v1',
  payload: z.object({ idTag: z.string(), keyId: z.string() }),
});
