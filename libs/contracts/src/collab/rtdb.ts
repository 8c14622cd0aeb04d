import { z } from 'zod';

import { defineEvent } from '../define';

const change = z.object({
  action: z.enum(['create', 'update', 'delete', 'lock', 'unlock']),
  /** The document's path in its database (`coll/doc…`). */
  path: z.string().min(1).max(1024),
  /** The document after the change (with its `id`); a lock's `{userId, mode, connId}`. */
  data: z.unknown().optional(),
  /** The document before an update or delete: filtered subscriptions see it leave. */
  old: z.unknown().optional(),
});
export type RtdbChange = z.infer<typeof change>;

/**
 * A committed change to a real-time database (protocol §7), for every collaboration replica:
 * each holds its own subscribers, so this is heard by all of them (no queue group). Sent after
 * the transaction committed; subscribers missing one (a replica restarting) resubscribe and
 * receive the current state.
 */
export const rtdbChanged = defineEvent({
  subject: 'collab.rtdb.changed.v1',
  payload: z.object({
    tnId: z.number().int().positive(),
    dbId: z.string().min(1).max(64),
    changes: z.array(change).min(1).max(1000),
  }),
});
