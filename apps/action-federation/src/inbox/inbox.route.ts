import { apiTenantOf, type FastRoute, Replayable } from '@cloudillo/http';
import { forwardedClientAddress } from '@cloudillo/rate-limit';
import { z } from 'zod';

import { type InboxService } from './inbox.service';

const inboxBody = z.object({
  token: z.string().min(1),
  related: z.array(z.string().min(1)).max(16).optional(),
});

/**
 * How long the gateway may answer a repeat of a settled delivery itself: peers retry a lost 201
 * within minutes, and history sync sends what a follower may already hold in one go.
 */
const REPLAY_SECONDS = 600;

/**
 * `POST /api/inbox` (protocol §2.7): public, rate-limited at the edge (federation bucket); 201
 * once the token is durably queued. A fast route: every peer's every delivery comes here, and
 * Nest's per-request pipeline was most of a re-delivery's cost.
 */
export function inboxRoute(inbox: InboxService, limitBytes: number): FastRoute<typeof inboxBody> {
  return {
    method: 'POST',
    path: '/api/inbox',
    status: 201,
    body: inboxBody,
    limitBytes,
    handle: async (req, body) => {
      const { actionId, settled } = await inbox.receive(
        apiTenantOf(req).ascii,
        body.token,
        body.related,
        forwardedClientAddress(req),
      );
      return settled ? new Replayable({ actionId }, REPLAY_SECONDS) : { actionId };
    },
  };
}
