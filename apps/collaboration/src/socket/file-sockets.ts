import { type IncomingMessage } from 'node:http';

import { Injectable } from '@nestjs/common';
import { ContractClient, type FileCaller, openFile } from '@cloudillo/contracts';
import { type AuthContext, requestUrl, UpgradeAuthenticator } from '@cloudillo/http';
import { isAppError, NAMED_FILE_ID } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { CLOSE, CloseError } from './close-codes';

/** The file a document or database socket is about, and what its caller may do. */
export interface FileSocket {
  tenant: TenantContext;
  /** Absent for a guest without a token (read-only). */
  auth?: AuthContext;
  fileId: string;
  /** Who the socket speaks for in awareness and locks: the token's user, else the guest. */
  identity: string;
  /** R and C are read-only here (comments live in `{fileId}~meta`, protocol §6). */
  writable: boolean;
}

const ACCESS = new Set(['read', 'comment', 'write']);

function callerOf(auth: AuthContext): FileCaller {
  return {
    subject: auth.subject,
    anonymous: auth.anonymous,
    roles: [...auth.roles],
    ...(auth.scope === undefined ? {} : { scope: auth.scope }),
    ...(auth.via === undefined ? {} : { via: auth.via }),
  };
}

/**
 * Opens `/ws/{kind}/{fileId}` for a caller: the guard's checks (tenant, token, scope), the file's
 * type and the caller's level from the blob service (protocol §5.2), the `access=` the client
 * asked for (never more than it has). Refusals are {@link CloseError}s with the §6 codes.
 */
@Injectable()
export class FileSockets {
  constructor(
    private readonly authenticator: UpgradeAuthenticator,
    private readonly rpc: ContractClient,
  ) {}

  /**
   * The file's type and the caller's level (protocol §5.2, decided by blob). A file the caller
   * cannot read is 404 (4404), for a guest 4401: log in, whether or not it exists.
   */
  async access(
    tenant: TenantContext,
    auth: AuthContext | undefined,
    fileId: string,
  ): Promise<{ fileTp: string; level: string }> {
    return this.rpc
      .request(openFile, {
        tenant: tenant.idTag,
        ...(auth ? { caller: callerOf(auth) } : {}),
        fileId,
      })
      .catch((error: unknown) => {
        if (!auth && isAppError(error) && error.status === 404)
          throw new CloseError(CLOSE.unauthorized, 'a token is required');
        throw error;
      });
  }

  async open(req: IncomingMessage, fileId: string, fileTp: 'CRDT' | 'RTDB'): Promise<FileSocket> {
    if (!NAMED_FILE_ID.test(fileId)) throw new CloseError(CLOSE.badRequest, 'not a file id');
    const asked = requestUrl(req).searchParams.get('access') ?? 'write';
    if (!ACCESS.has(asked))
      throw new CloseError(CLOSE.badRequest, 'access must be read, comment or write');
    const { tenant, auth } = await this.authenticator.authenticate(req);
    const file = await this.access(tenant, auth, fileId);
    if (file.fileTp !== fileTp)
      throw new CloseError(CLOSE.typeMismatch, `${fileId} is not a ${fileTp} file`);
    const writable = asked === 'write' && (file.level === 'W' || file.level === 'A');
    return {
      tenant,
      ...(auth ? { auth } : {}),
      fileId,
      identity: auth && !auth.anonymous ? auth.subject : 'guest',
      writable,
    };
  }
}
