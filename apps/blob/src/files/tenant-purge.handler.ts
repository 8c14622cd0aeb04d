import { Controller, Inject, Logger } from '@nestjs/common';
import { type EventPayload, tenantPurged } from '@cloudillo/contracts';
import { HandleEvent } from '@cloudillo/messaging';
import { type BlobStore } from '@cloudillo/storage';

import { BLOB_STORE } from '../tokens';
import { FilesRepository } from './files.repository';

/**
 * Purge saga, the blob service's part: a purged tenant's files and references are deleted, and
 * bytes no other tenant uses are removed from the store. Idempotent: identity announces purges
 * again. (Objects whose removal fails are left to the garbage collector: no row names them.)
 */
@Controller()
export class TenantPurgeHandler {
  private readonly logger = new Logger(TenantPurgeHandler.name);

  constructor(
    private readonly files: FilesRepository,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
  ) {}

  @HandleEvent(tenantPurged)
  async purged({ tnId, idTag }: EventPayload<typeof tenantPurged>): Promise<void> {
    const orphans = await this.files.purgeTenant(tnId);
    await this.store.remove(orphans).catch((error: unknown) => {
      this.logger.warn(`purge of ${idTag}: objects left to the collector: ${String(error)}`);
    });
    if (orphans.length > 0) this.logger.log(`purged ${idTag}: ${orphans.length} object(s) removed`);
  }
}
