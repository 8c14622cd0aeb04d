import { Inject, Injectable } from '@nestjs/common';
import { type AuthContext, Page } from '@cloudillo/http';
import { decodeCursor, encodeCursor, NotFoundError, ValidationError } from '@cloudillo/protocol';
import { type BlobStore } from '@cloudillo/storage';
import { type TenantContext } from '@cloudillo/tenancy';

import { atLeast, FileAccess } from '../access/file-access';
import { FileRefresh } from '../sync/file-refresh';
import { BLOB_STORE } from '../tokens';
import { FileRecordsRepository } from './file-records.repository';
import { type FileView, viewOf } from './file-view';
import {
  type FileFilter,
  type FileWithVariants,
  FilesRepository,
  type ListPosition,
} from './files.repository';
import { variantMime } from './media';
import { chooseVariant } from './variant-choice';

/** Stored bytes a read answers with, and the headers that go with them. */
export interface StoredRead {
  object: { key: string; size: number; contentType: string };
  headers: Record<string, string>;
}

/**
 * The tenant's files (protocol §5.1): the list, reads by file id (variant choice) or by blob id
 * as far as access allows (404 otherwise, hidden like a missing file), the trash and deletion.
 */
@Injectable()
export class FilesService {
  constructor(
    private readonly files: FilesRepository,
    private readonly records: FileRecordsRepository,
    private readonly access: FileAccess,
    private readonly remote: FileRefresh,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
  ) {}

  /** A page of the tenant's files, newest first; `cursor` continues where the last page ended. */
  async list(
    tenant: TenantContext,
    query: FileFilter & { cursor?: string | undefined; limit: number },
  ): Promise<Page<FileView>> {
    const before = query.cursor === undefined ? undefined : positionOf(query.cursor);
    const rows = await this.files.list(tenant.tnId, query, before, query.limit + 1);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const hasMore = rows.length > query.limit;
    return new Page(items.map(viewOf), {
      nextCursor:
        hasMore && last
          ? encodeCursor({ s: 'createdAt', v: last.createdAt.toISOString(), id: String(last.fId) })
          : null,
      hasMore,
    });
  }

  /** A blob by its id, if the caller may read one of the tenant's files that use it. */
  async blob(
    tenant: TenantContext,
    caller: AuthContext | undefined,
    blobId: string,
  ): Promise<StoredRead> {
    const users = await this.files.filesUsingBlob(tenant.tnId, blobId);
    let readable = false;
    for (const file of users) {
      if (atLeast(await this.access.levelOf(tenant, caller, file), 'R')) {
        readable = true;
        break;
      }
    }
    const blob = readable ? await this.files.tenantBlob(tenant.tnId, blobId) : undefined;
    if (!blob) throw new NotFoundError('no such blob');
    return { object: { key: blob.objectKey, ...blob }, headers: { 'X-Cloudillo-Variant': blobId } };
  }

  /** A file's bytes: the variant asked for, or the nearest one there is. */
  async content(
    tenant: TenantContext,
    caller: AuthContext | undefined,
    fileId: string,
    asked: string | undefined,
  ): Promise<StoredRead> {
    const file = await this.readable(tenant, caller, fileId);
    const variant = chooseVariant(file, asked);
    const key = variant && (await this.files.objectKeyOf(variant.blobId));
    if (!variant || !key) throw new NotFoundError('the file has no stored variant');
    return {
      object: {
        key,
        size: Number(variant.size),
        contentType: variantMime(variant.variant, variant.format, file.contentType),
      },
      headers: {
        'X-Cloudillo-Variant': variant.blobId,
        'X-Cloudillo-Variants': file.descriptor ?? '',
      },
    };
  }

  async descriptor(
    tenant: TenantContext,
    caller: AuthContext | undefined,
    fileId: string,
  ): Promise<{ file: string }> {
    const file = await this.readable(tenant, caller, fileId);
    return { file: file.descriptor ?? '' };
  }

  async metadata(
    tenant: TenantContext,
    caller: AuthContext | undefined,
    fileId: string,
  ): Promise<FileView> {
    return viewOf(await this.readable(tenant, caller, fileId));
  }

  /** Whether a file kept for its owner elsewhere is still served to the tenant there. */
  async refresh(tenant: TenantContext, fileId: string): Promise<FileView> {
    return viewOf(await this.remote.refresh(tenant, fileId));
  }

  /**
   * Into the trash; from the trash, or `permanent`, for good: the tenant's references go, and
   * bytes nobody else uses are removed.
   */
  async remove(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    permanent: boolean,
  ): Promise<{ fileId: string; permanent: boolean }> {
    const { tnId } = tenant;
    const file =
      (await this.records.find(tnId, fileId)) ?? (await this.records.find(tnId, fileId, true));
    await this.access.require(tenant, caller, file, 'W');
    if (!permanent && (await this.records.trash(tnId, fileId))) return { fileId, permanent: false };
    const { deleted, orphans } = await this.files.deleteFile(tnId, fileId);
    if (!deleted) throw new NotFoundError('no such file');
    await this.store.remove(orphans).catch(() => undefined); // else garbage collection does
    return { fileId, permanent: true };
  }

  /** Back from the trash, to the folder it was in. */
  async restore(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
  ): Promise<{ fileId: string; parentId?: string }> {
    const trashed = await this.records.find(tenant.tnId, fileId, true);
    await this.access.require(tenant, caller, trashed, 'W');
    const restored = await this.records.restore(tenant.tnId, fileId);
    if (!restored) throw new NotFoundError('no such file in the trash');
    return { fileId, ...(restored.parentId ? { parentId: restored.parentId } : {}) };
  }

  /** The file, if the caller may read it (protocol §5.2); 404 otherwise, hidden like a missing one. */
  private async readable(
    tenant: TenantContext,
    caller: AuthContext | undefined,
    fileId: string,
  ): Promise<FileWithVariants> {
    const file = await this.files.findFile(tenant.tnId, fileId);
    if (!file || !atLeast(await this.access.levelOf(tenant, caller, file), 'R'))
      throw new NotFoundError('no such file');
    return file;
  }
}

/** Where the page a cursor names starts. */
function positionOf(cursor: string): ListPosition {
  const c = decodeCursor(cursor);
  if (!c || c.s !== 'createdAt' || typeof c.v !== 'string' || typeof c.id !== 'string')
    throw new ValidationError('invalid cursor');
  return { createdAt: new Date(c.v), fId: BigInt(c.id) };
}
