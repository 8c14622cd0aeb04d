import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { type BlobDb, type File, type FileVariant, Prisma } from '@cloudillo/db-blob';
import { AppError, VISIBILITIES, type Visibility } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { BLOB_DB } from '../tokens';
import { type VariantEntry } from './descriptor';
import { variantMime } from './media';

export type FileWithVariants = File & { variants: FileVariant[] };

/** A variant whose bytes were just written to `objectKey`. */
export interface NewVariant extends VariantEntry {
  objectKey: string;
}

/** A variant known from a synced file's descriptor only: its bytes are not kept here. */
export type KnownVariant = VariantEntry & { objectKey?: undefined };

export interface NewFile {
  tnId: number;
  ownerTag: string;
  preset: string;
  contentType: string;
  fileName: string;
  variants: (NewVariant | KnownVariant)[];
  quotaBytes: number;
  /** The final id and descriptor; absent while variants are still being made (id `@<f_id>`). */
  final?: { fileId: string; descriptor: string };
  parentId?: string | undefined;
  tags?: string[] | undefined;
  visibility?: string | undefined;
}

/** Which of a tenant's files a list shows. */
export interface FileFilter {
  contentType?: string | undefined;
  fileTp?: string | undefined;
  parentId?: string | undefined;
  tag?: string | undefined;
  /** The trash instead of the live files. */
  trashed?: boolean | undefined;
}

/** Where a page of a list starts: after this file, newest first. */
export interface ListPosition {
  createdAt: Date;
  fId: bigint;
}

/** The tenant would go past its quota (413); the transaction is rolled back. */
export class QuotaExceeded extends AppError {
  constructor(quota: number) {
    super('E-CORE-TOOLARGE', `the tenant's storage quota of ${quota} bytes would be exceeded`);
  }
}

type Tx = Prisma.TransactionClient;

function variantRow(tnId: number, v: NewVariant | KnownVariant) {
  return {
    tnId,
    variant: v.name,
    blobId: v.blobId,
    format: v.format,
    size: v.size,
    resX: v.width ?? null,
    resY: v.height ?? null,
    duration: v.duration ?? null,
    bitrate: v.bitrate ?? null,
    pages: v.pages ?? null,
    available: v.objectKey !== undefined,
  };
}

/** A stored variant row as its descriptor entry. */
export function variantEntryOf(row: FileVariant): VariantEntry {
  return {
    name: row.variant,
    blobId: row.blobId,
    format: row.format,
    size: Number(row.size),
    width: row.resX ?? undefined,
    height: row.resY ?? undefined,
    duration: row.duration ?? undefined,
    bitrate: row.bitrate ?? undefined,
    pages: row.pages ?? undefined,
  };
}

/** The variants whose bytes are kept here: the only ones a file is read by. */
const AVAILABLE_VARIANTS = { variants: { where: { available: true } } } as const;

/**
 * Files, their variants, the blobs they use and what each tenant is charged, changed together in
 * transactions: a tenant's reference count on a blob and its usage move with its variants, and a
 * blob row goes only when no tenant references it (the blob row is locked while that is decided).
 */
@Injectable()
export class FilesRepository {
  constructor(@Inject(BLOB_DB) private readonly db: BlobDb) {}

  /**
   * Records an uploaded file with its variants. Returns the file, whether the tenant already had
   * it (same final id), and the object keys that became their blob's (the others held bytes that
   * were already stored: redundant, the caller removes them).
   */
  async addFile(
    input: NewFile,
  ): Promise<{ file: FileWithVariants; existed: boolean; keptObjects: Set<string> }> {
    return this.db.$transaction(async (tx) => {
      const keptObjects = new Set<string>();
      const stored = input.variants.filter((v): v is NewVariant => v.objectKey !== undefined);
      for (const variant of stored)
        if (await this.storeBlob(tx, variant)) keptObjects.add(variant.objectKey);
      if (input.final) {
        const existing = await tx.file.findUnique({
          where: { tnId_fileId: { tnId: input.tnId, fileId: input.final.fileId } },
          include: { variants: true },
        });
        if (existing) return { file: existing, existed: true, keptObjects };
      }
      for (const v of stored)
        await this.reference(tx, input.tnId, v.blobId, v.size, input.quotaBytes);
      const created = await tx.file.create({
        data: {
          tnId: input.tnId,
          fileId: input.final?.fileId ?? `@new-${randomUUID()}`,
          status: input.final ? 'A' : 'P',
          preset: input.preset,
          contentType: input.contentType,
          fileName: input.fileName,
          descriptor: input.final?.descriptor ?? null,
          ownerTag: input.ownerTag,
          parentId: input.parentId ?? null,
          tags: input.tags ?? [],
          visibility: input.visibility ?? null,
          variants: { create: input.variants.map((v) => variantRow(input.tnId, v)) },
        },
      });
      // A file still being made is known by its row number until its content id exists.
      const file = await tx.file.update({
        where: { fId: created.fId },
        data: input.final ? {} : { fileId: `@${created.fId}` },
        include: { variants: true },
      });
      return { file, existed: false, keptObjects };
    });
  }

  /**
   * One more variant of a file, or the bytes of one known only from its descriptor; false when
   * it has them already (a retried job).
   */
  async addVariant(
    tnId: number,
    fId: bigint,
    variant: NewVariant,
    quotaBytes: number,
  ): Promise<{ added: boolean; objectKept: boolean }> {
    return this.db.$transaction(async (tx) => {
      const objectKept = await this.storeBlob(tx, variant);
      const key = { fId_variant: { fId, variant: variant.name } };
      const has = await tx.fileVariant.findUnique({ where: key });
      if (has?.available) return { added: false, objectKept };
      await this.reference(tx, tnId, variant.blobId, variant.size, quotaBytes);
      if (has) await tx.fileVariant.update({ where: key, data: { available: true } });
      else await tx.fileVariant.create({ data: { fId, ...variantRow(tnId, variant) } });
      return { added: true, objectKept };
    });
  }

  /**
   * A file whose variants are made gets its content id. If the tenant already has a file with
   * that id (the same image uploaded twice), this one is dropped for it (its temporary id is
   * recorded as naming that file): returns that id and the object keys nobody references any
   * more.
   */
  async finalize(
    tnId: number,
    fId: bigint,
    fileId: string,
    descriptor: string,
  ): Promise<{ fileId: string; orphans: string[] }> {
    return this.db.$transaction(async (tx) => {
      const existing = await tx.file.findUnique({ where: { tnId_fileId: { tnId, fileId } } });
      if (existing && existing.fId !== fId) {
        const orphans = await this.dropFile(tx, tnId, fId);
        // Its temporary id keeps naming the file it became (an action may attach it by that).
        await tx.mergedUpload.upsert({
          where: { tnId_fId: { tnId, fId } },
          create: { tnId, fId, fileId: existing.fileId },
          update: {},
        });
        return { fileId: existing.fileId, orphans };
      }
      await tx.file.update({ where: { fId }, data: { fileId, descriptor, status: 'A' } });
      return { fileId, orphans: [] };
    });
  }

  /**
   * Everything of a purged tenant goes (protocol: identity's purge saga): its files with their
   * variants, marks and shares, its merged uploads, its blob references and usage. Blobs no other
   * tenant uses go too: returns their object keys for the caller to remove. Idempotent.
   */
  async purgeTenant(tnId: number): Promise<string[]> {
    return this.db.$transaction(async (tx) => {
      await tx.mergedUpload.deleteMany({ where: { tnId } });
      await tx.file.deleteMany({ where: { tnId } });
      const used = (
        await tx.$queryRaw<{ blob_id: string }[]>`
          delete from tenant_blobs where tn_id = ${tnId} returning blob_id`
      ).map((row) => row.blob_id);
      await tx.tenantUsage.deleteMany({ where: { tnId } });
      if (used.length === 0) return [];
      // Set-wise, not three round trips per blob: the rows locked (in blob id order), then those
      // no other tenant references deleted.
      await tx.$queryRaw`
        select 1 from blobs where blob_id = any(${used}) order by blob_id for update`;
      const orphans = await tx.$queryRaw<{ object_key: string }[]>`
        delete from blobs b where b.blob_id = any(${used})
          and not exists (select 1 from tenant_blobs t where t.blob_id = b.blob_id)
        returning b.object_key`;
      return orphans.map((row) => row.object_key);
    });
  }

  /** Stores the blob row unless the bytes are stored already; locks it either way. */
  private async storeBlob(tx: Tx, variant: NewVariant): Promise<boolean> {
    const inserted = await tx.$executeRaw`
      insert into blobs (blob_id, size, object_key) values
        (${variant.blobId}, ${variant.size}, ${variant.objectKey})
      on conflict (blob_id) do nothing`;
    await tx.$queryRaw`select 1 from blobs where blob_id = ${variant.blobId} for update`;
    return inserted === 1;
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
      const file = await tx.file.findUnique({ where: { tnId_fileId: { tnId, fileId } } });
      if (!file) return { deleted: false, orphans: [] };
      return { deleted: true, orphans: await this.dropFile(tx, tnId, file.fId) };
    });
  }

  /** Removes a file and releases its variants' blobs; returns the object keys now unreferenced. */
  private async dropFile(tx: Tx, tnId: number, fId: bigint): Promise<string[]> {
    const variants = await tx.fileVariant.findMany({ where: { fId, available: true } });
    await tx.file.delete({ where: { fId } });
    const orphans: string[] = [];
    for (const variant of variants) {
      const key = await this.release(tx, tnId, variant.blobId);
      if (key) orphans.push(key);
    }
    return orphans;
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

  findFileByRow(tnId: number, fId: bigint): Promise<FileWithVariants | null> {
    return this.db.file.findFirst({ where: { tnId, fId }, include: { variants: true } });
  }

  /**
   * The content ids (or still temporary ids) of the tenant's live uploads, by row — an upload
   * merged into a file the tenant had by that file's id, while it lives.
   */
  async liveFileIdsByRow(tnId: number, fIds: bigint[]): Promise<Map<bigint, string>> {
    const rows = await this.db.file.findMany({
      where: { tnId, fId: { in: fIds }, status: { in: ['A', 'P'] } },
      select: { fId: true, fileId: true },
    });
    const byRow = new Map(rows.map((r) => [r.fId, r.fileId]));
    const gone = fIds.filter((id) => !byRow.has(id));
    if (gone.length === 0) return byRow; // the usual case: no merged upload to look for
    const merged = await this.db.mergedUpload.findMany({ where: { tnId, fId: { in: gone } } });
    if (merged.length === 0) return byRow;
    const live = await this.db.file.findMany({
      where: { tnId, fileId: { in: merged.map((m) => m.fileId) }, status: { in: ['A', 'P'] } },
      select: { fileId: true },
    });
    const alive = new Set(live.map((f) => f.fileId));
    for (const m of merged) if (alive.has(m.fileId)) byRow.set(m.fId, m.fileId);
    return byRow;
  }

  /**
   * The tenant's own active files among `fileIds` that are less open than `visibility` become
   * that open (protocol §2.4 order); nothing is ever narrowed. Files kept for others (synced or
   * shared) stay as their owners made them.
   */
  async openTo(tenant: TenantContext, fileIds: string[], visibility: Visibility): Promise<void> {
    const rows = await this.db.file.findMany({
      where: { tnId: tenant.tnId, fileId: { in: fileIds }, status: 'A', ownerTag: tenant.idTag },
      select: { fId: true, visibility: true },
    });
    const rank = (v: string | null) => VISIBILITIES.indexOf((v ?? 'D') as Visibility);
    const closer = rows.filter((r) => rank(r.visibility) > rank(visibility)).map((r) => r.fId);
    if (closer.length === 0) return;
    await this.db.file.updateMany({
      where: { fId: { in: closer } },
      data: { visibility },
    });
  }

  /** A live file (not in the trash) with its variants. */
  findFile(tnId: number, fileId: string): Promise<FileWithVariants | null> {
    return this.db.file.findFirst({
      where: { tnId, fileId, status: { in: ['A', 'P'] } },
      include: AVAILABLE_VARIANTS,
    });
  }

  /** A live file with every variant its descriptor names, kept here or not. */
  findFileWithKnownVariants(tnId: number, fileId: string): Promise<FileWithVariants | null> {
    return this.db.file.findFirst({
      where: { tnId, fileId, status: { in: ['A', 'P'] } },
      include: { variants: true },
    });
  }

  /** A blob the tenant references (through one of its variants), with the type of its bytes. */
  async tenantBlob(
    tnId: number,
    blobId: string,
  ): Promise<{ objectKey: string; size: number; contentType: string } | undefined> {
    const [row] = await this.db.$queryRaw<
      { object_key: string; size: bigint; content_type: string; variant: string; format: string }[]
    >`
      select b.object_key, b.size, f.content_type, v.variant, v.format
      from tenant_blobs t
      join blobs b on b.blob_id = t.blob_id
      join file_variants v on v.tn_id = t.tn_id and v.blob_id = t.blob_id
      join files f on f.f_id = v.f_id
      where t.tn_id = ${tnId} and t.blob_id = ${blobId}
      limit 1`;
    return row
      ? {
          objectKey: row.object_key,
          size: Number(row.size),
          contentType: variantMime(row.variant, row.format, row.content_type),
        }
      : undefined;
  }

  /** The tenant's live files with a variant in this blob. */
  filesUsingBlob(tnId: number, blobId: string): Promise<File[]> {
    return this.db.file.findMany({
      where: { tnId, status: { in: ['A', 'P'] }, variants: { some: { blobId } } },
      take: 50,
    });
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
    filter: FileFilter,
    before: ListPosition | undefined,
    limit: number,
  ): Promise<File[]> {
    return this.db.file.findMany({
      where: {
        tnId,
        status: filter.trashed ? 'D' : { in: ['A', 'P'] },
        ...(filter.contentType ? { contentType: { startsWith: filter.contentType } } : {}),
        ...(filter.fileTp ? { fileTp: filter.fileTp } : {}),
        ...(filter.parentId ? { parentId: filter.parentId } : {}),
        ...(filter.tag ? { tags: { has: filter.tag } } : {}),
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
