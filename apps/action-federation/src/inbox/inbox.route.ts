import { type FastRoute, Replayable, type RequestTenants } from '@cloudillo/http';
import { forwardedClientAddress } from '@cloudillo/rate-limit';
import { z } from 'zod';

import { type FederationConfig } from '../config';
import { type InboxService } from './inbox.service';
import { verifyBackoffMs } from './verify-backoff';

const inboxBody = z.object({
  token: z.string().min(1),
  related: z.array(z.string().min(1)).max(16).optional(),
});

/**
 * How long the gateway may answer a repeat of a settled delivery itself: peers retry a lost 201
 * within minutes, and history sync sends what a follower may already hold in one go (600 s) —
 * but never half as long as a token stored now could take to fail for a reason that passes (held
 * for its parent `holdMs`, or given up after its retries): a re-delivery then must reach the
 * inbox, which examines it again.
 */
export function replaySeconds(verify: FederationConfig['verify']): number {
  let giveUpMs = 0;
  for (let attempt = 1; attempt < verify.attempts; attempt++)
    giveUpMs += verifyBackoffMs(verify.backoffMs, attempt);
  return Math.min(600, Math.floor(Math.min(verify.holdMs, giveUpMs) / 2000));
}

/**
 * `POST /api/inbox` (protocol §2.7): public, rate-limited at the edge (federation bucket); 201
 * once the token is durably queued. A fast route: every peer's every delivery comes here, and
 * Nest's per-request pipeline was most of a re-delivery's cost; so the Host's tenant is found
 * and admitted here (`tenants`) as the guard does for every other route.
 */
export function inboxRoute(
  inbox: InboxService,
  tenants: RequestTenants,
  limitBytes: number,
  verify: FederationConfig['verify'],
): FastRoute<typeof inboxBody> {
  const replayFor = replaySeconds(verify);
  return {
    method: 'POST',
    path: '/api/inbox',
    status: 201,
    body: inboxBody,
    limitBytes,
    handle: async (req, body) => {
      const { actionId, settled } = await inbox.receive(
        await tenants.require(req),
        body.token,
        body.related,
        forwardedClientAddress(req),
      );
      return settled && replayFor > 0 ? new Replayable({ actionId }, replayFor) : { actionId };
    },
  };
}
