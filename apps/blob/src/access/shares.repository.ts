import { Inject, Injectable } from '@nestjs/common';
import { type BlobDb, Prisma, type ShareEntry } from '@cloudillo/db-blob';
import { ConflictError } from '@cloudillo/protocol';

import { BLOB_DB } from '../tokens';

export interface NewShare {
  subjectType: 'U' | 'L' | 'F';
  subjectId: string;
  permission: 'R' | 'C' | 'W' | 'A';
  expiresAt?: Date | undefined;
}

/** What a share's manager may change; `expiresAt: null` makes it last. */
export interface ShareChange {
  permission?: NewShare['permission'] | undefined;
  expiresAt?: Date | null | undefined;
}

/** Share entries of a tenant's files (protocol §5.2); every statement is scoped by tn_id. */
@Injectable()
export class SharesRepository {
  constructor(@Inject(BLOB_DB) private readonly db: BlobDb) {}

  ofFile(tnId: number, fId: bigint): Promise<ShareEntry[]> {
    return this.db.shareEntry.findMany({ where: { tnId, fId }, orderBy: { id: 'asc' } });
  }

  /** The live grants a user holds on any of these files (the file and the folders above it). */
  forUser(tnId: number, fIds: bigint[], user: string, now: Date): Promise<ShareEntry[]> {
    return this.db.shareEntry.findMany({
      where: {
        tnId,
        fId: { in: fIds },
        subjectType: 'U',
        subjectId: user,
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
    });
  }

  /** The live link from a container file to a file it embeds (a share of subject type F). */
  link(
    tnId: number,
    targetFileId: string,
    containerFileId: string,
    now: Date,
  ): Promise<ShareEntry | null> {
    return this.db.shareEntry.findFirst({
      where: {
        tnId,
        subjectType: 'F',
        subjectId: containerFileId,
        file: { fileId: targetFileId },
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
    });
  }

  bySubject(tnId: number, subjectType: string, subjectId: string): Promise<ShareEntry[]> {
    return this.db.shareEntry.findMany({
      where: { tnId, subjectType, subjectId },
      orderBy: { id: 'asc' },
    });
  }

  async create(tnId: number, fId: bigint, share: NewShare, createdBy: string): Promise<ShareEntry> {
    try {
      return await this.db.shareEntry.create({
        data: { tnId, fId, ...share, expiresAt: share.expiresAt ?? null, createdBy },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        throw new ConflictError('this subject has a share on the file already');
      throw error;
    }
  }

  async update(
    tnId: number,
    fId: bigint,
    id: number,
    change: ShareChange,
  ): Promise<ShareEntry | null> {
    const { count } = await this.db.shareEntry.updateMany({
      where: { tnId, fId, id },
      data: {
        ...(change.permission ? { permission: change.permission } : {}),
        ...(change.expiresAt !== undefined ? { expiresAt: change.expiresAt } : {}),
      },
    });
    return count === 1 ? this.db.shareEntry.findFirst({ where: { tnId, id } }) : null;
  }

  /** The entry removed, if there was one. */
  async remove(tnId: number, fId: bigint, id: number): Promise<ShareEntry | null> {
    const share = await this.db.shareEntry.findFirst({ where: { tnId, fId, id } });
    if (!share) return null;
    const { count } = await this.db.shareEntry.deleteMany({ where: { tnId, fId, id } });
    return count === 1 ? share : null;
  }
}
