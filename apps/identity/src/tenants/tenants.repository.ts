import { Inject, Injectable } from '@nestjs/common';
import { type IdentityDb, Prisma, type Tenant } from '@cloudillo/db-identity';
import { ConflictError, type ProfileType, type TenantStatus } from '@cloudillo/protocol';

import { keyColumns, type StoredKey } from '../keys/keys.repository';
import { IDENTITY_DB } from '../tokens';
import { type NewTenant, type PublishedKey, type TenantRecord } from './tenant';

function toRecord(row: Tenant): TenantRecord {
  const record: TenantRecord = {
    tnId: row.tnId,
    idTag: row.idTag,
    type: row.type as ProfileType,
    name: row.name,
    status: row.status as TenantStatus,
    roles: row.roles,
  };
  if (row.profilePic !== null) record.profilePic = row.profilePic;
  return record;
}

@Injectable()
export class TenantsRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  async findByIdTag(idTag: string): Promise<TenantRecord | undefined> {
    const row = await this.db.tenant.findUnique({ where: { idTag } });
    return row ? toRecord(row) : undefined;
  }

  /** The tenant and every key it publishes, newest (signing) key first. */
  async findWithKeys(
    idTag: string,
  ): Promise<{ tenant: TenantRecord; keys: PublishedKey[] } | undefined> {
    const row = await this.db.tenant.findUnique({
      where: { idTag },
      include: {
        keys: {
          select: { keyId: true, publicKey: true, expiresAt: true },
          orderBy: { keyId: 'desc' },
        },
      },
    });
    if (!row) return undefined;
    const keys = row.keys.map((k) =>
      k.expiresAt
        ? { keyId: k.keyId, publicKey: k.publicKey, expiresAt: k.expiresAt }
        : { keyId: k.keyId, publicKey: k.publicKey },
    );
    return { tenant: toRecord(row), keys };
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
