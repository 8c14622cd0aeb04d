import { Inject, Injectable } from '@nestjs/common';
import { type IdentityDb, Prisma, type Tenant } from '@cloudillo/db-identity';
import { ConflictError, type ProfileType, type TenantStatus } from '@cloudillo/protocol';

import { keyColumns, type StoredKey } from '../keys/keys.repository';
import { IDENTITY_DB } from '../tokens';
import { type NewTenant, type PublishedKey, type TenantRecord } from './tenant';

interface RawKey {
  keyId: string;
  publicKey: string;
  expiresAt: string | null;
}

/** The `x` column: only string values survive (it is written only through validated patches). */
function sectionsOf(value: Prisma.JsonValue): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** A tenants row as the service sees it; the one mapping of its columns. */
export function toRecord(
  row: Pick<
    Tenant,
    | 'tnId'
    | 'idTag'
    | 'type'
    | 'name'
    | 'status'
    | 'roles'
    | 'profilePic'
    | 'coverPic'
    | 'appDomain'
    | 'x'
  >,
): TenantRecord {
  const record: TenantRecord = {
    tnId: row.tnId,
    idTag: row.idTag,
    type: row.type as ProfileType,
    name: row.name,
    status: row.status as TenantStatus,
    roles: row.roles,
    x: sectionsOf(row.x),
  };
  if (row.profilePic !== null) record.profilePic = row.profilePic;
  if (row.coverPic !== null) record.coverPic = row.coverPic;
  if (row.appDomain !== null) record.appDomain = row.appDomain;
  return record;
}

@Injectable()
export class TenantsRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  async findByIdTag(idTag: string): Promise<TenantRecord | undefined> {
    const row = await this.db.tenant.findUnique({ where: { idTag } });
    return row ? toRecord(row) : undefined;
  }

  /** The tenant an app domain belongs to: a configured app_domain, or the id_tag itself. */
  async findByAppDomain(host: string): Promise<TenantRecord | undefined> {
    const row = await this.db.tenant.findFirst({
      where: { OR: [{ appDomain: host }, { idTag: host }] },
    });
    return row ? toRecord(row) : undefined;
  }

  /** The tenant and every key it publishes, newest (signing) key first. */
  async findWithKeys(
    tenant: { idTag: string } | { tnId: number },
  ): Promise<{ tenant: TenantRecord; keys: PublishedKey[] } | undefined> {
    const where =
      'tnId' in tenant
        ? Prisma.sql`t.tn_id = ${tenant.tnId}`
        : Prisma.sql`t.id_tag = ${tenant.idTag}`;
    // The hottest read (every GET /api/me, every key lookup): one round trip, tenant and keys
    // aggregated in SQL, no per-query work in the ORM.
    const rows = await this.db.$queryRaw<(Tenant & { keys: RawKey[] })[]>`
      select t.tn_id as "tnId", t.id_tag as "idTag", t.type, t.name, t.status, t.roles,
             t.profile_pic as "profilePic", t.cover_pic as "coverPic", t.app_domain as "appDomain", t.x,
             coalesce(json_agg(json_build_object('keyId', k.key_id, 'publicKey', k.public_key,
                                                 'expiresAt', k.expires_at) order by k.key_id desc)
                      filter (where k.key_id is not null), '[]') as keys
        from tenants t left join keys k on k.tn_id = t.tn_id
       where ${where}
       group by t.tn_id`;
    const row = rows[0];
    if (!row) return undefined;
    const keys = row.keys.map((k) =>
      k.expiresAt
        ? { keyId: k.keyId, publicKey: k.publicKey, expiresAt: new Date(k.expiresAt) }
        : { keyId: k.keyId, publicKey: k.publicKey },
    );
    return { tenant: toRecord(row), keys };
  }

  /**
   * Changes the tenant's name and/or sections. The sections patch is applied to the row as locked,
   * so concurrent patches never lose each other's changes; `apply` returning undefined aborts.
   */
  async updateProfile(
    tnId: number,
    change: {
      name?: string | undefined;
      apply?: (x: Record<string, string>) => Record<string, string> | undefined;
    },
  ): Promise<TenantRecord | 'refused' | undefined> {
    return this.db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ x: Prisma.JsonValue }[]>`
        select x from tenants where tn_id = ${tnId} and status <> 'X' for update`;
      const current = locked[0];
      if (!current) return undefined;
      const data: Prisma.TenantUpdateInput = {};
      if (change.name !== undefined) data.name = change.name;
      if (change.apply) {
        const next = change.apply(sectionsOf(current.x));
        if (!next) return 'refused';
        data.x = next;
      }
      return toRecord(await tx.tenant.update({ where: { tnId }, data }));
    });
  }

  /** Sets or clears the profile or cover picture (a file id of the blob service). */
  async setPicture(
    idTag: string,
    kind: 'profile' | 'cover',
    fileId: string | null,
  ): Promise<boolean> {
    const { count } = await this.db.tenant.updateMany({
      where: { idTag, status: { not: 'X' } },
      data: kind === 'profile' ? { profilePic: fileId } : { coverPic: fileId },
    });
    return count === 1;
  }

  /** Creates a tenant and its first key in one transaction: never a tenant without a key. */
  async createWithKey(tenant: NewTenant, key: StoredKey): Promise<TenantRecord> {
    try {
      const row = await this.db.tenant.create({
        data: {
          ...tenant,
          keys: { create: keyColumns(key) },
        },
      });
      return toRecord(row);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new ConflictError(`tenant ${tenant.idTag} already exists`);
      }
      throw error;
    }
  }
}
