import { Injectable, Logger } from '@nestjs/common';
import { acceptSharedFile, ContractClient } from '@cloudillo/contracts';
import { splitActionType } from '@cloudillo/protocol';

import { type ActionHook, type HookContext } from './action-hook';

interface SharedFile {
  contentType: string;
  fileName: string;
  fileTp: 'BLOB' | 'CRDT' | 'RTDB';
}

/**
 * A file share (protocol §2.9 FSHR): it waits for the user (`C`, by the type's behaviour); once
 * accepted, the blob service keeps the file for this tenant, owned by the sharer — the grant itself
 * lives at the owner's node, which the file's readers go to.
 */
@Injectable()
export class FileShareHooks implements ActionHook {
  readonly types = ['FSHR'] as const;

  private readonly logger = new Logger(FileShareHooks.name);

  constructor(private readonly rpc: ContractClient) {}

  async onAccept({ tenant, claims }: HookContext): Promise<void> {
    if (claims.aud !== tenant.idTag || !claims.sub || splitActionType(claims.t).subType === 'DEL')
      return;
    // The inbox checked the content against the type's schema before it could wait here.
    const file = claims.c as SharedFile;
    try {
      await this.rpc.request(acceptSharedFile, {
        tenant: tenant.idTag,
        owner: claims.iss,
        fileId: claims.sub,
        fileTp: file.fileTp,
        contentType: file.contentType,
        fileName: file.fileName,
      });
    } catch (error) {
      // The acceptance stands (the share is the sharer's grant); the copy is what failed.
      this.logger.warn(
        `accepted ${claims.sub} from ${claims.iss}, but could not keep it: ${String(error)}`,
      );
    }
  }
}
