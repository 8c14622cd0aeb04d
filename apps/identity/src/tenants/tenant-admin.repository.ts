import { Inject, Injectable } from '@nestjs/common';
import { type TenantView } from '@cloudillo/contracts';
import { type IdentityDb, type Prisma } from '@cloudillo/db-identity';
import { type TenantStatus } from '@cloudillo/protocol';

import { IDENTITY_DB } from '../tokens';
import { toRecord } from './tenants.repository';

const withKeys = {
  keys: { select: { keyId: true, expiresAt: true }, orderBy: { keyId: 'desc' } },
} as const;

type Row = Prisma.TenantGetPayload<{ include: typeof withKeys }>;

function toView(row: Row): TenantView {
  const { tnId, idTag, type, name, status, roles, profilePic } = toRecord(row);
  return {
    tnId,
    idTag,
    type,
    name,
    status,
    roles,
    ...(profilePic ? { profilePic } : {}),
    createdAt: row.createdAt.toISOString(),
    keys: row.keys.map((k) =>
      k.expiresAt ? { keyId: k.keyId, expiresAt: k.expiresAt.toISOString() } : { keyId: k.keyId },
    ),
  };
}

/** The operator's view of tenants: listing, status changes, purge. */
@Injectable()
export class TenantAdminRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  async view(idTag: string): Promise<TenantView | undefined> {
    const row = await this.db.tenant.findUnique({ where: { idTag }, include: withKeys });
    return row ? toView(row) : undefined;
  }

  /** Keyset page by tn_id; `search` matches id_tag or name, case-insensitively. */
  async list(search: string | undefined, after: number, limit: number): Promise<TenantView[]> {
    const rows = await this.db.tenant.findMany({
      where: {
        tnId: { gt: after },
        ...(search
          ? {
              OR: [
                { idTag: { contains: search, mode: 'insensitive' } },
                { name: { contains: search, mode: 'insensitive' } },
              ],
            }
          : {}),
      },
      include: withKeys,
      orderBy: { tnId: 'asc' },
      take: limit,
    });
    return rows.map(toView);
  }

  /** Tombstones purged after `since`, to announce again. */
  async recentlyPurged(since: Date): Promise<{ idTag: string; tnId: number }[]> {
    return this.db.tenant.findMany({
      where: { status: 'X', purgedAt: { gt: since } },
      select: { idTag: true, tnId: true },
    });
  }

  async update(
    idTag: string,
    change: { name?: string; roles?: string[] },
  ): Promise<TenantView | undefined> {
    const { count } = await this.db.tenant.updateMany({
      where: { idTag, status: { not: 'X' } },
      data: change,
    });
    return count === 0 ? undefined : this.view(idTag);
  }

  async setStatus(idTag: string, status: TenantStatus): Promise<TenantView | undefined> {
    const { count } = await this.db.tenant.updateMany({
      where: { idTag, status: { not: 'X' } },
      data: { status },
    });
    return count === 0 ? undefined : this.view(idTag);
  }

  /**
   * Purging: the tenant is gone to the outside at once (status `X`) and its keys are destroyed in
   * the same transaction. The row stays as a tombstone, so the purge can be announced again and
   * the id_tag is not handed out while other services still hold data under it.
   */
  async markPurged(idTag: string): Promise<number | undefined> {
    return this.db.$transaction(async (tx) => {
      const tenant = await tx.tenant.findUnique({ where: { idTag }, select: { tnId: true } });
      if (!tenant) return undefined;
      await tx.tenant.update({
        where: { tnId: tenant.tnId },
        data: { status: 'X', profilePic: null, coverPic: null, x: {}, purgedAt: new Date() },
      });
      await tx.tenantKey.deleteMany({ where: { tnId: tenant.tnId } });
      await tx.profile.deleteMany({ where: { tnId: tenant.tnId } });
      await tx.tenantSetting.deleteMany({ where: { tnId: tenant.tnId } });
      return tenant.tnId;
    });
  }
}
