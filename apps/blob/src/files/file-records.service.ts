import { randomInt } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { type AuthContext } from '@cloudillo/http';
import { ConflictError, NotFoundError, ValidationError } from '@cloudillo/protocol';
import { type BlobStore } from '@cloudillo/storage';
import { type TenantContext } from '@cloudillo/tenancy';

import { type AccessLevel, FileAccess } from '../access/file-access';
import { BLOB_STORE } from '../tokens';
import { checkFileName } from './file-name';
import { FileRecordsRepository } from './file-records.repository';
import { FilesRepository } from './files.repository';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Documents and folders are not content-addressed: a random 24-character id (protocol §3.4). */
export function randomFileId(): string {
  let id = '';
  for (let i = 0; i < 24; i++) id += ALNUM[randomInt(ALNUM.length)];
  return id;
}

const DEFAULT_TYPES: Record<NewDocument['fileTp'], string> = {
  CRDT: 'cloudillo/crdt',
  RTDB: 'cloudillo/rtdb',
  FLDR: 'cloudillo/folder',
};

/** A document or folder as the client asks for it. */
export interface NewDocument {
  fileTp: 'CRDT' | 'RTDB' | 'FLDR';
  contentType?: string | undefined;
  fileName?: string | undefined;
  parentId?: string | undefined;
  tags?: string[] | undefined;
}

/** A rename, a move (null: to the top), or who sees it (null: direct shares only). */
export interface FileChange {
  fileName?: string | undefined;
  parentId?: string | null | undefined;
  visibility?: 'P' | 'V' | 'F' | 'C' | null | undefined;
}

/**
 * Documents and folders, names and places, the trash, tags and per-user marks (protocol §5.1,
 * §5.2): each change needs its level on the file (`FileAccess.require`).
 */
@Injectable()
export class FileRecordsService {
  constructor(
    private readonly records: FileRecordsRepository,
    private readonly files: FilesRepository,
    private readonly access: FileAccess,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
  ) {}

  async create(tenant: TenantContext, document: NewDocument): Promise<{ fileId: string }> {
    if (document.parentId) await this.folder(tenant, document.parentId);
    const file = await this.records.createRecord({
      tnId: tenant.tnId,
      fileId: randomFileId(),
      fileTp: document.fileTp,
      contentType: document.contentType ?? DEFAULT_TYPES[document.fileTp],
      fileName: checkFileName(document.fileName ?? 'Untitled'),
      parentId: document.parentId,
      tags: [...new Set(document.tags ?? [])],
      ownerTag: tenant.idTag,
    });
    return { fileId: file.fileId };
  }

  /** Renames and moves (W), or changes who sees it (A); a folder cannot move below itself. */
  async update(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    change: FileChange,
  ): Promise<{ fileId: string; fileName?: string }> {
    const needed = change.visibility === undefined ? 'W' : 'A';
    await this.fileFor(tenant, caller, fileId, needed);
    if (change.parentId) {
      await this.folder(tenant, change.parentId);
      if ((await this.records.ancestors(tenant.tnId, change.parentId)).includes(fileId))
        throw new ValidationError('a folder cannot move into itself');
    }
    const updated = await this.records.update(tenant.tnId, fileId, {
      fileName: change.fileName === undefined ? undefined : checkFileName(change.fileName),
      parentId: change.parentId,
      visibility: change.visibility,
    });
    if (!updated) throw new NotFoundError('no such file');
    return { fileId, fileName: updated.fileName };
  }

  /**
   * Everything in the trash the caller may delete, for good (bytes nobody else references are
   * removed): a contributor leaves what it may not write, and what the tenant keeps for others.
   */
  async emptyTrash(tenant: TenantContext, caller: AuthContext): Promise<number> {
    const { tnId } = tenant;
    let deleted = 0;
    for (const fileId of await this.records.trashed(tnId)) {
      const file = await this.records.find(tnId, fileId, true);
      if (!file || !(await this.access.allows(tenant, caller, file, 'W'))) continue;
      const { deleted: gone, orphans } = await this.files.deleteFile(tnId, fileId);
      if (gone) deleted++;
      await this.store.remove(orphans).catch(() => undefined); // else garbage collection does
    }
    return deleted;
  }

  /** The file's tags after `change`; at most 32. */
  async retag(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    change: (tags: string[]) => string[],
  ): Promise<{ tags: string[] }> {
    const file = await this.fileFor(tenant, caller, fileId, 'W');
    const tags = change(file.tags);
    if (tags.length > 32) throw new ValidationError('a file has at most 32 tags');
    await this.records.setTags(tenant.tnId, fileId, tags);
    return { tags };
  }

  tagCounts(tenant: TenantContext): Promise<{ tag: string; count: number }[]> {
    return this.records.tagCounts(tenant.tnId);
  }

  /** The caller's own marks on a file it may read. */
  async mark(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    marks: { pinned?: boolean | undefined; starred?: boolean | undefined },
  ): Promise<{ fileId: string; pinned: boolean; starred: boolean }> {
    const file = await this.fileFor(tenant, caller, fileId, 'R');
    const { pinned, starred } = await this.records.setUserData(file.fId, caller.subject, marks);
    return { fileId, pinned, starred };
  }

  /** The live file, if the caller has `needed` on it (`FileAccess.require`). */
  private async fileFor(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    needed: AccessLevel,
  ) {
    const file = await this.records.find(tenant.tnId, fileId);
    return this.access.require(tenant, caller, file, needed);
  }

  private async folder(tenant: TenantContext, folderId: string): Promise<void> {
    const folder = await this.records.find(tenant.tnId, folderId);
    if (!folder) throw new NotFoundError(`no folder ${folderId}`);
    if (folder.fileTp !== 'FLDR') throw new ConflictError(`${folderId} is not a folder`);
  }
}
