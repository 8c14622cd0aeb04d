import { Inject, Injectable } from '@nestjs/common';
import { ContractClient, sessionRevoked } from '@cloudillo/contracts';

import { CLOCK, type Clock } from '../tokens';
import { type RevokedSession, SessionsRepository } from './sessions.repository';

/**
 * Revocation that takes effect at once: the row is written first (replicas that start later load
 * it), then every guard is told over NATS.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly rpc: ContractClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async revoke(tnId: number, sid: string): Promise<void> {
    const revoked = await this.sessions.revoke(tnId, sid, this.clock());
    if (revoked) await this.announce([revoked]);
  }

  async revokeAll(tnId: number, keep?: string): Promise<number> {
    const revoked = await this.sessions.revokeAll(tnId, this.clock(), keep);
    await this.announce(revoked);
    return revoked.length;
  }

  private async announce(revoked: RevokedSession[]): Promise<void> {
    for (const session of revoked) await this.rpc.publish(sessionRevoked, session);
  }
}
