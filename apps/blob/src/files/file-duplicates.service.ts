import { Injectable } from '@nestjs/common';
import { ContractClient, copyCollabFile } from '@cloudillo/contracts';
import { type AuthContext } from '@cloudillo/http';
import { ValidationError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { FileAccess } from '../access/file-access';
import { checkFileName } from './file-name';
import { FileRecordsRepository } from './file-records.repository';
import { randomFileId } from './file-records.service';

/** Where the copy goes and what it is called (defaults: beside the original, "… (copy)"). */
export interface DuplicateRequest {
  fileName?: string | undefined;
  parentId?: string | undefined;
}

/**
 * `POST /api/files/{id}/duplicate` (protocol §5.1): a new document or database of the tenant with
 * the content of one the caller can read. The record is made here, the content is copied by
 * collaboration; if the copy fails the record goes again, so no empty copy is left behind.
 */
@Injectable()
export class FileDuplicatesService {
  constructor(
    private readonly records: FileRecordsRepository,
    private readonly access: FileAccess,
    private readonly rpc: ContractClient,
  ) {}

  async duplicate(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    request: DuplicateRequest,
  ): Promise<{ fileId: string }> {
    const source = await this.access.require(
      tenant,
      caller,
      await this.records.find(tenant.tnId, fileId),
      'R',
    );
    if (source.fileTp !== 'CRDT' && source.fileTp !== 'RTDB')
      throw new ValidationError('only documents and databases are duplicated');
    const parentId = request.parentId ?? source.parentId ?? undefined;
    if (parentId) {
      const folder = await this.records.find(tenant.tnId, parentId);
      if (!folder || folder.fileTp !== 'FLDR') throw new ValidationError(`no folder ${parentId}`);
    }
    const copy = await this.records.createRecord({
      tnId: tenant.tnId,
      fileId: randomFileId(),
      fileTp: source.fileTp,
      contentType: source.contentType,
      fileName: checkFileName(request.fileName ?? `${source.fileName} (copy)`),
      parentId,
      tags: source.tags,
      ownerTag: tenant.idTag,
    });
    try {
      await this.rpc.request(copyCollabFile, {
        tenant: tenant.idTag,
        fileTp: source.fileTp,
        from: source.fileId,
        to: copy.fileId,
      });
    } catch (error) {
      await this.records.deleteRecord(tenant.tnId, copy.fileId);
      throw error;
    }
    return { fileId: copy.fileId };
  }
}
