import { Controller } from '@nestjs/common';
import { copyCollabFile, type HandlerInput, type HandlerReply } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { TenantResolver } from '@cloudillo/tenancy';

import { UpdateLogRepository } from '../crdt/update-log.repository';
import { RtdbRepository } from '../rtdb/rtdb.repository';

/** Duplicate's content (protocol §5.1): a document's state or a database's documents, copied. */
@Controller()
export class FileCopyHandler {
  constructor(
    private readonly tenants: TenantResolver,
    private readonly documents: UpdateLogRepository,
    private readonly databases: RtdbRepository,
  ) {}

  @HandleRequest(copyCollabFile)
  async copy(
    request: HandlerInput<typeof copyCollabFile>,
  ): Promise<HandlerReply<typeof copyCollabFile>> {
    const { tnId } = await this.tenants.require(request.tenant);
    if (request.fileTp === 'CRDT')
      return {
        copied: await this.documents.copy(
          { tnId, docId: request.from },
          { tnId, docId: request.to },
        ),
      };
    return { copied: (await this.databases.copy({ tnId, dbId: request.from }, request.to)) > 0 };
  }
}
