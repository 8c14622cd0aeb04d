import { Controller, Logger } from '@nestjs/common';
import { type EventPayload, tenantPurged } from '@cloudillo/contracts';
import { HandleEvent } from '@cloudillo/messaging';

import { SessionsService } from '../sessions/sessions.service';
import { CredentialsRepository } from './credentials.repository';

/**
 * Purge saga, access-token's part: the tenant's sessions are revoked (its tokens stop at once) and
 * its credentials and session rows removed. Idempotent: identity announces purges again.
 */
@Controller()
export class TenantPurgeHandler {
  private readonly logger = new Logger(TenantPurgeHandler.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly credentials: CredentialsRepository,
  ) {}

  @HandleEvent(tenantPurged)
  async purged({ tnId, idTag }: EventPayload<typeof tenantPurged>): Promise<void> {
    const revoked = await this.sessions.revokeAll(tnId);
    const count = await this.credentials.delete(tnId);
    if (revoked > 0 || count > 0) {
      this.logger.log(
        `purged ${idTag}: ${revoked} session(s) revoked, ${count} credential(s) removed`,
      );
    }
  }
}
