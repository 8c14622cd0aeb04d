import { Controller } from '@nestjs/common';
import { acceptSharedFile, type HandlerInput, type HandlerReply } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { TenantResolver } from '@cloudillo/tenancy';

import { FileRecordsRepository } from '../files/file-records.repository';
import { normalMime } from '../files/media';
import { FileSync } from './file-sync';

/**
 * `blob.shared-file.accept.v1` (protocol §2.9 FSHR accepted): the tenant keeps an entry for a
 * file someone else owns. A content file (`f1~`) is synced with every hash checked, as an
 * attachment is; a document stays at its owner's node and gets a record here, owned by the sharer.
 */
@Controller()
export class SharedFilesHandler {
  constructor(
    private readonly sync: FileSync,
    private readonly records: FileRecordsRepository,
    private readonly tenants: TenantResolver,
  ) {}

  @HandleRequest(acceptSharedFile)
  async accept(
    request: HandlerInput<typeof acceptSharedFile>,
  ): Promise<HandlerReply<typeof acceptSharedFile>> {
    const { owner, fileId, fileTp } = request;
    const tenant = await this.tenants.require(request.tenant);
    if (fileTp === 'BLOB' && fileId.startsWith('f1~'))
      return this.sync.sync(tenant, fileId, owner, true);
    const created = await this.records.createRecordOnce({
      tnId: tenant.tnId,
      fileId,
      fileTp,
      contentType: normalMime(request.contentType) ?? 'application/octet-stream',
      fileName: request.fileName,
      parentId: undefined,
      tags: [],
      ownerTag: owner,
    });
    return { fileId, existed: !created };
  }
}
