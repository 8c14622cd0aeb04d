import { Controller } from '@nestjs/common';
import {
  type FileCaller,
  type HandlerInput,
  type HandlerReply,
  openFile,
} from '@cloudillo/contracts';
import { type AuthContext } from '@cloudillo/http';
import { HandleRequest } from '@cloudillo/messaging';
import { NotFoundError } from '@cloudillo/protocol';
import { type TenantContext, TenantResolver } from '@cloudillo/tenancy';

import { FileRecordsRepository } from '../files/file-records.repository';
import { atLeast, FileAccess } from './file-access';

/** The caller a verified token described, as the file rules take it. */
export function callerContext(tenant: TenantContext, caller: FileCaller): AuthContext {
  return {
    tenant: tenant.idTag,
    subject: caller.subject,
    anonymous: caller.anonymous,
    owner: !caller.anonymous && caller.subject === tenant.idTag,
    roles: new Set(caller.roles),
    ...(caller.scope === undefined ? {} : { scope: caller.scope }),
    ...(caller.via === undefined ? {} : { via: caller.via }),
    jti: '',
    exp: 0,
  };
}

/**
 * For collaboration, before it opens a document or database socket: the file's type and the
 * caller's level, decided by the same rules as every file route (protocol §5.2).
 */
@Controller()
export class FileOpenHandler {
  constructor(
    private readonly access: FileAccess,
    private readonly records: FileRecordsRepository,
    private readonly tenants: TenantResolver,
  ) {}

  @HandleRequest(openFile)
  async open(request: HandlerInput<typeof openFile>): Promise<HandlerReply<typeof openFile>> {
    const tenant = await this.tenants.require(request.tenant);
    const file = await this.records.find(tenant.tnId, request.fileId);
    const caller = request.caller && callerContext(tenant, request.caller);
    const level = file ? await this.access.levelOf(tenant, caller, file) : 'none';
    if (!file || level === 'none' || !atLeast(level, 'R'))
      throw new NotFoundError(`no file ${request.fileId}`);
    return { fileTp: file.fileTp as 'BLOB' | 'CRDT' | 'RTDB' | 'FLDR', level };
  }
}
