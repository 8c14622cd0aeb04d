import { Controller, Inject, Logger } from '@nestjs/common';
import { type AuthDb } from '@cloudillo/db-auth';
import { type EventPayload, tenantPurged } from '@cloudillo/contracts';
import { HandleEvent } from '@cloudillo/messaging';

import { SessionsService } from '../sessions/sessions.service';
import { AUTH_DB } from '../tokens';

/**
 * Purge saga, access-token's part: the tenant's sessions are revoked (its tokens stop at once) and
 * its credentials and session rows removed. Idempotent: identity announces purges again.
 */
@Controller()
export class TenantPurgeHandler {
  private readonly logger = new Logger(TenantPurgeHandler.name);

  constructor(
    private readonly sessions: SessionsService,
    @Inject(AUTH_DB) private readonly db: AuthDb,
  ) {}

  @HandleEvent(tenantPurged)
  async purged({ tnId, idTag }: EventPayload<typeof tenantPurged>): Promise<void> {
    const revoked = await this.sessions.revokeAll(tnId);
    const { count } = await this.db.credential.deleteMany({ where: { tnId } });
    if (revoked > 0 || count > 0) {
      this.logger.log(
        `purged ${idTag}: ${revoked} session(s) revoked, ${count} credential(s) removed`,
      );
    }
  }
}
