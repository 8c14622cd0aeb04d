import { Inject, Injectable } from '@nestjs/common';
import { type BlobDb, type File, Prisma } from '@cloudillo/db-blob';

import { BLOB_DB } from '../tokens';
import { type BrokenReason } from './file-view';

/** Live files: active, or still getting their variants. */
const LIVE = ['A', 'P'];

/** A document, a folder, or an entry for a file kept for its owner elsewhere. */
export interface NewRecord {
  tnId: number;
  fileId: string;
  fileTp: string;
  contentType: string;
  fileName: string;
  parentId: string | undefined;
  tags: string[];
  /** Whose file it is: the tenant's own, or the identity that shared it. */
  ownerTag: string;
}

/**
 * The bookkeeping side of a tenant's files: document and folder records, names and places, the
 * trash, tags and per-user marks. Every statement is scoped by tn_id. (Bytes and their references
 * are `FilesRepository`'s.)
 */
@Injectable()
export class FileRecordsRepository {
  constructor(@Inject(BLOB_DB) private readonly db: BlobDb) {}

  createRecord(record: NewRecord): Promise<File> {
    const { parentId, ...rest } = record;
    return this.db.file.create({
      data: { ...rest, status: 'A', parentId: parentId ?? null },
    });
  }

  /**
   * A record unless the tenant has a file under its id already (live or in the trash): false
   * then. Two acceptances of one share at once make one record.
   */
  async createRecordOnce(record: NewRecord): Promise<boolean> {
    if (await this.find(record.tnId, record.fileId)) return false;
    try {
      await this.createRecord(record);
      return true;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        return false;
      throw error;
    }
  }

  /** Removes a record nothing else refers to yet (a duplicate whose content was not copied). */
  async deleteRecord(tnId: number, fileId: string): Promise<void> {
    await this.db.file.deleteMany({ where: { tnId, fileId } });
  }

  /** A document's content changed at `at`: its `modifiedAt` moves forward, never back. */
  async touch(tnId: number, fileId: string, at: Date): Promise<void> {
    await this.db.$executeRaw`
      UPDATE files SET modified_at = greatest(modified_at, ${at})
      WHERE tn_id = ${tnId} AND file_id = ${fileId} AND file_tp IN ('CRDT', 'RTDB')`;
  }

  /** A live file of the tenant, or (with `trashed`) one in its trash. */
  find(tnId: number, fileId: string, trashed = false): Promise<File | null> {
    return this.db.file.findFirst({
      where: { tnId, fileId, status: trashed ? 'D' : { in: LIVE } },
    });
  }

  /** The folders from `folderId` up to the root (to refuse moving a folder into itself). */
  async ancestors(tnId: number, folderId: string): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ file_id: string }[]>`
      with recursive up(file_id, parent_id, depth) as (
        select file_id, parent_id, 0 from files where tn_id = ${tnId} and file_id = ${folderId}
        union all
        select f.file_id, f.parent_id, up.depth + 1 from files f
        join up on f.tn_id = ${tnId} and f.file_id = up.parent_id
        where up.depth < 64)
      select file_id from up`;
    return rows.map((r) => r.file_id);
  }

  /** File ids by row number. */
  async idsOf(tnId: number, fIds: bigint[]): Promise<Map<bigint, string>> {
    const rows = await this.db.file.findMany({
      where: { tnId, fId: { in: fIds } },
      select: { fId: true, fileId: true },
    });
    return new Map(rows.map((r) => [r.fId, r.fileId]));
  }

  /** Row numbers of files by id (share entries hang on rows). */
  async rowsOf(tnId: number, fileIds: string[]): Promise<bigint[]> {
    if (fileIds.length === 0) return [];
    const rows = await this.db.file.findMany({
      where: { tnId, fileId: { in: fileIds } },
      select: { fId: true },
    });
    return rows.map((r) => r.fId);
  }

  async update(
    tnId: number,
    fileId: string,
    change: {
      fileName?: string | undefined;
      parentId?: string | null | undefined;
      visibility?: string | null | undefined;
    },
  ): Promise<File | null> {
    const { count } = await this.db.file.updateMany({
      where: { tnId, fileId, status: { in: LIVE } },
      data: {
        ...(change.fileName !== undefined ? { fileName: change.fileName } : {}),
        ...(change.parentId !== undefined ? { parentId: change.parentId } : {}),
        ...(change.visibility !== undefined ? { visibility: change.visibility } : {}),
        modifiedAt: new Date(),
      },
    });
    return count === 1 ? this.find(tnId, fileId) : null;
  }

  /**
   * Records whether a file kept for its owner elsewhere is still served to the tenant there
   * (`broken`: why not, since when — kept when the reason is the same as before).
   */
  async setBroken(
    tnId: number,
    fileId: string,
    broken: { reason: BrokenReason; at: Date } | undefined,
  ): Promise<File | null> {
    const where = { tnId, fileId, status: { in: LIVE } };
    if (broken === undefined) {
      // A whole file (the usual answer) is not written again.
      await this.db.file.updateMany({
        where: { ...where, brokenReason: { not: null } },
        data: { brokenAt: null, brokenReason: null },
      });
    } else {
      // Only a change of reason moves `brokenAt`: it says since when the file is away.
      await this.db.file.updateMany({
        where: { ...where, OR: [{ brokenReason: null }, { brokenReason: { not: broken.reason } }] },
        data: { brokenAt: broken.at, brokenReason: broken.reason },
      });
    }
    return this.find(tnId, fileId);
  }

  /** Into the trash; false when there is no live file under this id. */
  async trash(tnId: number, fileId: string): Promise<boolean> {
    const { count } = await this.db.file.updateMany({
      where: { tnId, fileId, status: { in: LIVE } },
      data: { status: 'D', trashedAt: new Date() },
    });
    return count === 1;
  }

  /** Back from the trash: a file still waiting for its content id waits again. */
  async restore(tnId: number, fileId: string): Promise<File | null> {
    const { count } = await this.db.file.updateMany({
      where: { tnId, fileId, status: 'D' },
      data: { status: fileId.startsWith('@') ? 'P' : 'A', trashedAt: null },
    });
    return count === 1 ? this.find(tnId, fileId) : null;
  }

  async trashed(tnId: number): Promise<string[]> {
    const rows = await this.db.file.findMany({
      where: { tnId, status: 'D' },
      select: { fileId: true },
    });
    return rows.map((r) => r.fileId);
  }

  async setTags(tnId: number, fileId: string, tags: string[]): Promise<void> {
    await this.db.file.updateMany({ where: { tnId, fileId }, data: { tags } });
  }

  /** The tenant's tags on live files, with how many files carry each. */
  async tagCounts(tnId: number): Promise<{ tag: string; count: number }[]> {
    const rows = await this.db.$queryRaw<{ tag: string; count: bigint }[]>`
      select tag, count(*) as count from files, unnest(tags) as tag
      where tn_id = ${tnId} and status in ('A', 'P')
      group by tag order by tag`;
    return rows.map((r) => ({ tag: r.tag, count: Number(r.count) }));
  }

  async setUserData(
    fId: bigint,
    idTag: string,
    marks: { pinned?: boolean | undefined; starred?: boolean | undefined },
  ): Promise<{ pinned: boolean; starred: boolean; accessedAt: Date | null }> {
    const data = {
      ...(marks.pinned !== undefined ? { pinned: marks.pinned } : {}),
      ...(marks.starred !== undefined ? { starred: marks.starred } : {}),
    };
    return this.db.fileUserData.upsert({
      where: { fId_idTag: { fId, idTag } },
      create: { fId, idTag, ...data },
      update: data,
    });
  }
}
