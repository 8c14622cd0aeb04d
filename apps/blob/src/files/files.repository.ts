import { Inject, Injectable } from '@nestjs/common';
import { type BlobDb, type File, type FileVariant, Prisma } from '@cloudillo/db-blob';
import { AppError } from '@cloudillo/protocol';

import { BLOB_DB } from '../tokens';

export type FileWithVariants = File & { variants: FileVariant[] };

export interface NewBlobFile {
  tnId: number;
  ownerTag: string;
  fileId: string;
  descriptor: string;
  preset: string;
  contentType: string;
  fileName: string;
  variant: { name: string; blobId: string; format: string; size: number; objectKey: string };
  quotaBytes: number;
}

/** The tenant would go past its quota (413); the transaction is rolled back. */
export class QuotaExceeded extends AppError {
  constructor(quota: number) {
    super('E-CORE-TOOLARGE', `the tenant's storage quota of ${quota} bytes would be exceeded`);
  }
}

type Tx = Prisma.TransactionClient;

/**
 * Files, their variants, the blobs they use and what each tenant is charged, changed together in
 * transactions: a tenant's reference count on a blob and its usage move with its variants, and a
 * blob row goes only when no tenant references it (the blob row is locked while that is decided).
 */
@Injectable()
export class FilesRepository {
  constructor(@Inject(BLOB_DB) private readonly db: BlobDb) {}

  /**
   * Records an uploaded file. Returns the file, whether the tenant already had it (same bytes and
   * type: same id), and whether the object just written is now the blob's (false: the bytes were
   * already stored, the new object is redundant).
   */
  async addBlobFile(
    input: NewBlobFile,
  ): Promise<{ file: FileWithVariants; existed: boolean; objectKept: boolean }> {
    return this.db.$transaction(async (tx) => {
      const { variant } = input;
      const inserted = await tx.$executeRaw`
        insert into blobs (blob_id, size, object_key) values
          (${variant.blobId}, ${variant.size}, ${variant.objectKey})
        on conflict (blob_id) do nothing`;
      await tx.$queryRaw`select 1 from blobs where blob_id = ${variant.blobId} for update`;
      const existing = await tx.file.findUnique({
        where: { tnId_fileId: { tnId: input.tnId, fileId: input.fileId } },
        include: { variants: true },
      });
      if (existing) return { file: existing, existed: true, objectKept: inserted === 1 };
      await this.reference(tx, input.tnId, variant.blobId, variant.size, input.quotaBytes);
      const file = await tx.file.create({
        data: {
          tnId: input.tnId,
          fileId: input.fileId,
          status: 'A',
          preset: input.preset,
          contentType: input.contentType,
          fileName: input.fileName,
          descriptor: input.descriptor,
          ownerTag: input.ownerTag,
          variants: {
            create: {
              tnId: input.tnId,
              variant: variant.name,
              blobId: variant.blobId,
              format: variant.format,
              size: variant.size,
            },
          },
        },
        include: { variants: true },
      });
      return { file, existed: false, objectKept: inserted === 1 };
    });
  }

  /** One more use of a blob by the tenant; the first charges its size against the quota. */
  private async reference(tx: Tx, tnId: number, blobId: string, size: number, quota: number) {
    const [{ refs }] = await tx.$queryRaw<[{ refs: number }]>`
      insert into tenant_blobs (tn_id, blob_id, refs) values (${tnId}, ${blobId}, 1)
      on conflict (tn_id, blob_id) do update set refs = tenant_blobs.refs + 1
      returning refs`;
    if (refs !== 1) return;
    const [{ bytes }] = await tx.$queryRaw<[{ bytes: bigint }]>`
      insert into tenant_usage (tn_id, bytes) values (${tnId}, ${size})
      on conflict (tn_id) do update set bytes = tenant_usage.bytes + ${size}
      returning bytes`;
    if (bytes > BigInt(quota)) throw new QuotaExceeded(quota);
  }

  /**
   * Deletes a tenant's file. Returns the object keys of blobs nobody references any more: their
   * rows are gone, the objects are the caller's to remove (after commit; a crash leaves them to
   * garbage collection).
   */
  async deleteFile(tnId: number, fileId: string): Promise<{ deleted: boolean; orphans: string[] }> {
    return this.db.$transaction(async (tx) => {
      const file = await tx.file.findUnique({
        where: { tnId_fileId: { tnId, fileId } },
        include: { variants: true },
      });
      if (!file) return { deleted: false, orphans: [] };
      await tx.file.delete({ where: { fId: file.fId } });
      const orphans: string[] = [];
      for (const variant of file.variants) {
        const key = await this.release(tx, tnId, variant.blobId);
        if (key) orphans.push(key);
      }
      return { deleted: true, orphans };
    });
  }

  /** One use fewer; the last use uncharges the tenant; the last tenant takes the blob row. */
  private async release(tx: Tx, tnId: number, blobId: string): Promise<string | undefined> {
    const [blob] = await tx.$queryRaw<{ size: bigint; object_key: string }[]>`
      select size, object_key from blobs where blob_id = ${blobId} for update`;
    const [left] = await tx.$queryRaw<{ refs: number }[]>`
      update tenant_blobs set refs = refs - 1 where tn_id = ${tnId} and blob_id = ${blobId}
      returning refs`;
    if (!blob || !left || left.refs > 0) return undefined;
    await tx.$executeRaw`delete from tenant_blobs where tn_id = ${tnId} and blob_id = ${blobId}`;
    await tx.$executeRaw`
      update tenant_usage set bytes = bytes - ${blob.size} where tn_id = ${tnId}`;
    const users = await tx.tenantBlob.count({ where: { blobId } });
    if (users > 0) return undefined;
    await tx.blob.delete({ where: { blobId } });
    return blob.object_key;
  }

  findFile(tnId: number, fileId: string): Promise<FileWithVariants | null> {
    return this.db.file.findUnique({
      where: { tnId_fileId: { tnId, fileId } },
      include: { variants: true },
    });
  }

  /** A blob the tenant references (through one of its variants), with that variant's file type. */
  async tenantBlob(
    tnId: number,
    blobId: string,
  ): Promise<{ objectKey: string; size: number; contentType: string } | undefined> {
    const [row] = await this.db.$queryRaw<
      { object_key: string; size: bigint; content_type: string }[]
    >`
      select b.object_key, b.size, f.content_type
      from tenant_blobs t
      join blobs b on b.blob_id = t.blob_id
      join file_variants v on v.tn_id = t.tn_id and v.blob_id = t.blob_id
      join files f on f.f_id = v.f_id
      where t.tn_id = ${tnId} and t.blob_id = ${blobId}
      limit 1`;
    return row
      ? { objectKey: row.object_key, size: Number(row.size), contentType: row.content_type }
      : undefined;
  }

  async objectKeyOf(blobId: string): Promise<string | undefined> {
    const blob = await this.db.blob.findUnique({ where: { blobId }, select: { objectKey: true } });
    return blob?.objectKey;
  }

  async usage(tnId: number): Promise<number> {
    const row = await this.db.tenantUsage.findUnique({ where: { tnId } });
    return Number(row?.bytes ?? 0);
  }

  /** Which of these object keys belong to a blob (garbage collection keeps those). */
  async knownObjects(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db.blob.findMany({
      where: { objectKey: { in: keys } },
      select: { objectKey: true },
    });
    return new Set(rows.map((r) => r.objectKey));
  }

  list(
    tnId: number,
    filter: { contentType?: string | undefined; fileTp?: string | undefined },
    before: { createdAt: Date; fId: bigint } | undefined,
    limit: number,
  ): Promise<File[]> {
    return this.db.file.findMany({
      where: {
        tnId,
        status: 'A',
        ...(filter.contentType ? { contentType: { startsWith: filter.contentType } } : {}),
        ...(filter.fileTp ? { fileTp: filter.fileTp } : {}),
        ...(before
          ? {
              OR: [
                { createdAt: { lt: before.createdAt } },
                { createdAt: before.createdAt, fId: { lt: before.fId } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { fId: 'desc' }],
      take: limit,
    });
  }
}
