import { Controller, Get, Param, Res } from '@nestjs/common';
import { type AuthContext, AuthUser, RawResponse, Tenant, ZodPipe } from '@cloudillo/http';
import { NAMED_FILE_ID, ValidationError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';
import { type Response } from 'express';
import { z } from 'zod';

import { UpdateLogRepository } from '../crdt/update-log.repository';
import { RtdbRepository } from '../rtdb/rtdb.repository';
import { FileSockets } from '../socket/file-sockets';

const fileIdParam = new ZodPipe(z.string().regex(NAMED_FILE_ID, 'not a document or database id'));

/**
 * A document's or database's whole state, for export and tenant migration: a CRDT file as one
 * Yjs update (v1, `application/octet-stream`, applies to an empty Y.Doc), an RTDB file as JSON
 * `{data: [{path, data}]}`. Whoever may read the file may export it (the socket would give them
 * the same); a scoped token is refused by the guard (its scope does not name this path).
 */
@Controller('api/collab/files')
export class FileStateController {
  constructor(
    private readonly files: FileSockets,
    private readonly documents: UpdateLogRepository,
    private readonly databases: RtdbRepository,
  ) {}

  @Get(':fileId/state')
  @RawResponse()
  async state(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Res() res: Response,
  ): Promise<void> {
    const { fileTp } = await this.files.access(tenant, caller, fileId);
    res.setHeader('Cache-Control', 'private, no-store');
    if (fileTp === 'CRDT') {
      const { state } = await this.documents.load({ tnId: tenant.tnId, docId: fileId });
      res.status(200).type('application/octet-stream').send(Buffer.from(state));
      return;
    }
    if (fileTp !== 'RTDB')
      throw new ValidationError(`${fileId} is neither a document nor a database`);
    const docs = await this.databases.all({ tnId: tenant.tnId, dbId: fileId });
    res.status(200).json({ data: docs });
  }
}
