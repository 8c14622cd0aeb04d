import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, prepareAttachments } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { NotFoundError, TEMP_FILE_ID } from '@cloudillo/protocol';
import { TenantResolver } from '@cloudillo/tenancy';

import { FilesRepository } from './files.repository';

/**
 * `blob.file.attach.v1`: what action-federation asks before it signs an action with attachments.
 * An upload answers with a temporary id `@<row>` (protocol §5.1) until its variants are made; an
 * attachment must be as open as the action, or its recipients could not fetch it (§5.5).
 */
@Controller()
export class AttachmentsHandler {
  constructor(
    private readonly files: FilesRepository,
    private readonly tenants: TenantResolver,
  ) {}

  @HandleRequest(prepareAttachments)
  async prepare({
    tenant: idTag,
    fileIds,
    visibility,
  }: HandlerInput<typeof prepareAttachments>): Promise<HandlerReply<typeof prepareAttachments>> {
    const tenant = await this.tenants.require(idTag);
    const tempIds = fileIds.filter((id) => TEMP_FILE_ID.test(id));
    const byRow = tempIds.length
      ? await this.files.liveFileIdsByRow(
          tenant.tnId,
          tempIds.map((id) => BigInt(id.slice(1))),
        )
      : new Map<bigint, string>();
    const files = fileIds.map((given) => {
      if (!TEMP_FILE_ID.test(given)) return { given, fileId: given };
      const now = byRow.get(BigInt(given.slice(1)));
      if (now === undefined) throw new NotFoundError(`no upload of yours is ${given}`);
      return { given, fileId: now.startsWith('@') ? null : now };
    });
    // While any is pending the action is not signed (it waits as a draft, and may never go out):
    // nothing is opened until it is asked again with all of them ready.
    const ready = files.flatMap((f) => (f.fileId ? [f.fileId] : []));
    if (visibility && ready.length === files.length)
      await this.files.openTo(tenant, ready, visibility);
    return { files };
  }
}
