import { z } from 'zod';

import { defineEvent, defineRequest } from '../define';

const revokedSession = z.object({
  sid: z.string().min(1).max(64),
  /** Unix seconds: the last `exp` a token of the session can carry; forgotten after that. */
  until: z.number().int(),
});

/** Sessions revoked (logout, password change, admin) whose tokens have not all expired yet. */
export const revokedSessions = defineRequest({
  subject: 'access-token.session.list-revoked.v1',
  request: z.object({}),
  response: z.object({ sessions: z.array(revokedSession) }),
  timeoutMs: 3_000,
});

/** Published the moment a session is revoked: every guard stops accepting its tokens. */
export const sessionRevoked = defineEvent({
  subject: 'access-token.session.revoked.v1',
  payload: revokedSession,
});
