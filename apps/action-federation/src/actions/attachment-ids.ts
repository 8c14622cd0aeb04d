import { Injectable } from '@nestjs/common';
import { ContractClient, prepareAttachments } from '@cloudillo/contracts';
import { ConflictError, TEMP_FILE_ID, type Visibility } from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

/**
 * An action can be created before the files it attaches have their content ids: it waits, kept
 * as a scheduled draft, and is signed once every one of them has (protocol §2.5: the reference
 * makes the signing task depend on the file-id task).
 */
export class AttachmentsPending extends ConflictError {
  constructor(readonly pending: string[]) {
    super(`attachments ${pending.join(', ')} are still being processed`);
  }
}

/** The blob service's part in attaching files to an action (`blob.file.attach.v1`). */
@Injectable()
export class AttachmentIds {
  constructor(private readonly rpc: ContractClient) {}

  /**
   * The attachments as they are called now, temporary ids replaced by content ids; `pending`
   * are the temporary ids without one yet. With `openTo` (an action about to be signed) the
   * tenant's files are opened to its visibility once none is pending; a draft's attachments are
   * only looked up.
   */
  async resolve(
    tenant: TenantRef,
    attachments: string[],
    openTo: { visibility: Visibility | undefined } | undefined,
  ): Promise<{ attachments: string[]; pending: string[] }> {
    const asked = [...new Set(attachments)];
    const lookUp = asked.some((id) => TEMP_FILE_ID.test(id));
    if (asked.length === 0 || (!lookUp && !openTo?.visibility)) return { attachments, pending: [] };
    const { files } = await this.rpc.request(prepareAttachments, {
      tenant: tenant.idTag,
      fileIds: asked,
      ...(openTo?.visibility ? { visibility: openTo.visibility } : {}),
    });
    const now = new Map(files.map((f) => [f.given, f.fileId]));
    return {
      attachments: attachments.map((id) => now.get(id) ?? id),
      pending: asked.filter((id) => now.get(id) === null),
    };
  }
}
