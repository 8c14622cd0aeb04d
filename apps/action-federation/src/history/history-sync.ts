import { Injectable, Logger } from '@nestjs/common';
import { ContractClient, issueProxyToken } from '@cloudillo/contracts';
import { PeerClient } from '@cloudillo/peer-client';
import { isAppError } from '@cloudillo/protocol';
import { z } from 'zod';

import { type HistoryJob } from '../delivery/jobs';
import { InboxService } from '../inbox/inbox.service';

const item = z.object({
  token: z.string().min(1),
  related: z.array(z.string()).max(16).optional(),
});
const items = z.array(item).max(100);
/** Our peers wrap replies in `data`; accept the bare shape of §2.10 too. */
const outboxReply = z.union([
  z.object({ data: z.object({ items }) }).transform((r) => r.data.items),
  z.object({ items }).transform((r) => r.items),
]);

/**
 * History sync (protocol §2.10): after a new follow or connection, the peer's recent posts are
 * fetched from its `/api/outbox` (with a token for this tenant there) and taken in through this
 * tenant's own inbox pipeline: verified like any delivery, and idempotent because ids are hashes.
 */
@Injectable()
export class HistorySync {
  private readonly logger = new Logger(HistorySync.name);

  constructor(
    private readonly rpc: ContractClient,
    private readonly peers: PeerClient,
    private readonly inbox: InboxService,
  ) {}

  async sync(job: HistoryJob): Promise<number> {
    const { token } = await this.rpc.request(issueProxyToken, {
      tenant: job.tenant.idTag,
      peer: job.peer,
    });
    const found = await this.peers.getJson(job.peer, '/api/outbox?limit=100', outboxReply, {
      bearer: token,
    });
    let taken = 0;
    // Oldest first, so that a repost's original or a STAT's post is there before it.
    for (const entry of [...found].reverse()) {
      try {
        await this.inbox.receive(job.tenant, entry.token, entry.related ?? []);
        taken++;
      } catch (error) {
        if (!isAppError(error) || error.status >= 500) throw error;
        this.logger.warn(`history item from ${job.peer} refused: ${error.message}`);
      }
    }
    return taken;
  }
}
