import { Controller, Logger } from '@nestjs/common';
import { type EventPayload, tenantPurged } from '@cloudillo/contracts';
import { HandleEvent } from '@cloudillo/messaging';

import { ActionsRepository } from './actions.repository';

/**
 * Purge saga, action-federation's part: every action the purged tenant holds (its own, received,
 * drafts) is deleted. Work queued for it before is dropped by the workers (`TenantResolver.isLive`),
 * so nothing is delivered, verified or synced for it afterwards. Idempotent: identity announces
 * purges again, which also catches a row a job in flight wrote after the first pass.
 */
@Controller()
export class TenantPurgeHandler {
  private readonly logger = new Logger(TenantPurgeHandler.name);

  constructor(private readonly actions: ActionsRepository) {}

  @HandleEvent(tenantPurged)
  async purged({ tnId, idTag }: EventPayload<typeof tenantPurged>): Promise<void> {
    const count = await this.actions.purgeTenant(tnId);
    if (count > 0) this.logger.log(`purged ${idTag}: ${count} action(s) removed`);
  }
}
