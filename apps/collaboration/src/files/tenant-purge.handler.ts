import { Controller, Logger } from '@nestjs/common';
import { type EventPayload, tenantPurged } from '@cloudillo/contracts';
import { HandleEvent } from '@cloudillo/messaging';

import { CrdtEngine } from '../crdt/crdt-engine';
import { UpdateLogRepository } from '../crdt/update-log.repository';
import { RtdbRepository } from '../rtdb/rtdb.repository';

/**
 * Purge saga, collaboration's part: a purged tenant's open documents are closed and its
 * documents and databases deleted. Idempotent (identity announces purges again).
 */
@Controller()
export class TenantPurgeHandler {
  private readonly logger = new Logger('purge');

  constructor(
    private readonly engine: CrdtEngine,
    private readonly documents: UpdateLogRepository,
    private readonly databases: RtdbRepository,
  ) {}

  @HandleEvent(tenantPurged)
  async purged({ tnId, idTag }: EventPayload<typeof tenantPurged>): Promise<void> {
    await this.engine.closeTenant(tnId);
    await this.documents.forgetTenant(tnId);
    await this.databases.forgetTenant(tnId);
    this.logger.log(`purged ${idTag}: documents and databases deleted`);
  }
}
