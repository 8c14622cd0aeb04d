import { Inject, Injectable } from '@nestjs/common';
import { ContractClient, issueProxyToken } from '@cloudillo/contracts';
import { type File } from '@cloudillo/db-blob';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { isAppError, NotFoundError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { type BrokenReason } from '../files/file-view';
import { FileRecordsRepository } from '../files/file-records.repository';
import { CLOCK, type Clock } from '../tokens';

/** Only that the owner's node answers with a file: its view is the owner's business. */
const metadataReply = z.object({ data: z.object({ fileId: z.string() }) });

/**
 * `POST /api/files/{id}/refresh`: is a file the tenant keeps for its owner elsewhere (an accepted
 * FSHR of a document) still served to it there? Asked of the owner's node with the tenant's
 * token there (protocol §4.4); the answer is kept on the record (`brokenAt`, `brokenReason`).
 * The tenant's own files have nothing to reconcile.
 */
@Injectable()
export class FileRefresh {
  constructor(
    private readonly records: FileRecordsRepository,
    private readonly rpc: ContractClient,
    private readonly peers: PeerClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async refresh(tenant: TenantContext, fileId: string): Promise<File> {
    const file = await this.records.find(tenant.tnId, fileId);
    if (!file) throw new NotFoundError('no such file');
    const owner = file.ownerTag;
    if (owner === null || owner === tenant.idTag) return file;
    const reason = await this.whyAway(tenant.idTag, owner, fileId);
    const refreshed = await this.records.setBroken(
      tenant.tnId,
      fileId,
      reason === undefined ? undefined : { reason, at: this.clock() },
    );
    if (!refreshed) throw new NotFoundError('no such file');
    return refreshed;
  }

  /**
   * Undefined while the owner's node serves the file to the tenant; otherwise why not. Our own
   * nodes answer 404 to a caller without access (they do not say what exists), so a share they
   * withdrew reads as `deleted`; 401/403 (the reference's answer, or a refused token exchange)
   * read as `revoked`.
   */
  private async whyAway(
    tenant: string,
    owner: string,
    fileId: string,
  ): Promise<BrokenReason | undefined> {
    let token: string;
    try {
      ({ token } = await this.rpc.request(issueProxyToken, { tenant, peer: owner }));
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.status === 401 || error.status === 403) return 'revoked';
      // The peer could not be reached for a token; anything else is this deployment's trouble,
      // and says nothing about the file.
      if (error.code === 'E-SYS-UNAVAIL') return 'unreachable';
      throw error;
    }
    try {
      await this.peers.getJson(
        owner,
        `/api/files/${encodeURIComponent(fileId)}/metadata`,
        metadataReply,
        { bearer: token },
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof PeerError)) throw error;
      if (error.status === 401 || error.status === 403) return 'revoked';
      if (error.status === 404 || error.status === 410) return 'deleted';
      return 'unreachable';
    }
  }
}
