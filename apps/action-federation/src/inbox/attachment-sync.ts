import { Injectable } from '@nestjs/common';
import { ContractClient, syncFile } from '@cloudillo/contracts';
import { type ActionTokenClaims, CONTENT_FILE_ID, isAppError } from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

import { Refused } from './refused';

/**
 * Step 11 of the inbox (protocol §2.7, §5.5): the files an inbound action attaches are fetched
 * by the blob service, every hash checked, before the action can become visible — so a reader
 * never meets an attachment this node cannot serve. They come from the audience's node (a post on
 * someone's wall) or else the issuer's; only the audience keeps a media file's original. A peer
 * that refuses, lacks the file or serves bytes that do not hash to it refuses the action; a node
 * that cannot be reached now is tried again later.
 */
@Injectable()
export class AttachmentSync {
  constructor(private readonly rpc: ContractClient) {}

  async fetch(tenant: TenantRef, claims: ActionTokenClaims): Promise<void> {
    if (!claims.a?.length) return;
    const from = claims.aud && claims.aud !== tenant.idTag ? claims.aud : claims.iss;
    // The audience (the wall the action is on) keeps every variant; others leave a media file's
    // original at its node (§5.5).
    const full = claims.aud === tenant.idTag;
    for (const fileId of claims.a) {
      if (!CONTENT_FILE_ID.test(fileId)) throw new Refused(`attachment ${fileId} is not a file id`);
      try {
        await this.rpc.request(syncFile, { tenant: tenant.idTag, fileId, from, full });
      } catch (error) {
        if (isAppError(error) && error.status < 500)
          throw new Refused(`attachment ${fileId}: ${error.message}`);
        throw error;
      }
    }
  }
}
