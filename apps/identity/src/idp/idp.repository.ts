import { Inject, Injectable } from '@nestjs/common';
import { type IdentityDb, type IdpApiKey, type IdpIdentity, Prisma } from '@cloudillo/db-identity';
import { ConflictError } from '@cloudillo/protocol';

import { IDENTITY_DB } from '../tokens';
import { type IdpStatus } from './idp-identity';

export interface NewIdentity {
  idTag: string;
  registrarIdTag: string;
  email?: string | undefined;
  ownerIdTag?: string | undefined;
  address?: string | undefined;
  addressType?: string | undefined;
  lang?: string | undefined;
  dyndns?: boolean | undefined;
  status: IdpStatus;
  activationHash?: string | undefined;
  expiresAt: Date;
}

export interface NewApiKey {
  keyPrefix: string;
  keyHash: string;
  name?: string | undefined;
  expiresAt?: Date | undefined;
}

export type IdentityChange = Partial<
  Pick<
    IdpIdentity,
    | 'email'
    | 'ownerIdTag'
    | 'address'
    | 'addressType'
    | 'addressUpdatedAt'
    | 'dyndns'
    | 'status'
    | 'activationHash'
    | 'expiresAt'
  >
>;

/** The filters of `GET /api/idp/identities`. */
export interface IdpListFilter {
  status?: IdpStatus | undefined;
  registrar?: string | undefined;
  q?: string | undefined;
}

@Injectable()
export class IdpRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  find(idTag: string): Promise<IdpIdentity | null> {
    return this.db.idpIdentity.findUnique({ where: { idTag } });
  }

  list(filter: IdpListFilter, after: string | undefined, limit: number): Promise<IdpIdentity[]> {
    return this.db.idpIdentity.findMany({
      where: {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.registrar ? { registrarIdTag: filter.registrar } : {}),
        ...(filter.q ? { idTag: { contains: filter.q, mode: 'insensitive' } } : {}),
        ...(after ? { idTag: { gt: after } } : {}),
      },
      orderBy: { idTag: 'asc' },
      take: limit,
    });
  }

  /**
   * Creates an identity and (optionally) its first API key, atomically and within the registrar's
   * quota: the count is taken under a per-registrar advisory lock, so parallel registrations
   * cannot overshoot it. Returns 'quota' when the registrar is full.
   */
  async create(
    identity: NewIdentity,
    maxIdentities: number,
    apiKey?: NewApiKey,
  ): Promise<IdpIdentity | 'quota'> {
    try {
      return await this.db.$transaction(async (tx) => {
        await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`idp-registrar:${identity.registrarIdTag}`}))`;
        const used = await tx.idpIdentity.count({
          where: { registrarIdTag: identity.registrarIdTag },
        });
        if (used >= maxIdentities) return 'quota' as const;
        return tx.idpIdentity.create({
          data: { ...identity, ...(apiKey ? { apiKeys: { create: apiKey } } : {}) },
        });
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new ConflictError(`${identity.idTag} is already registered`);
      }
      throw error;
    }
  }

  async update(idTag: string, change: IdentityChange): Promise<IdpIdentity | null> {
    const { count } = await this.db.idpIdentity.updateMany({ where: { idTag }, data: change });
    return count === 0 ? null : this.find(idTag);
  }

  async delete(idTag: string): Promise<boolean> {
    const { count } = await this.db.idpIdentity.deleteMany({ where: { idTag } });
    return count === 1;
  }

  /** Activates the pending identity holding this code, if it has not expired. */
  async activate(
    activationHash: string,
    now: Date,
    expiresAt: Date,
  ): Promise<IdpIdentity | undefined> {
    const rows = await this.db.idpIdentity.updateManyAndReturn({
      where: { activationHash, status: 'pending', expiresAt: { gt: now } },
      data: { status: 'active', activationHash: null, expiresAt },
    });
    return rows[0];
  }

  /** Pending identities whose activation window has passed. */
  async deleteExpiredPending(now: Date): Promise<number> {
    const { count } = await this.db.idpIdentity.deleteMany({
      where: { status: 'pending', expiresAt: { lt: now } },
    });
    return count;
  }

  quota(registrar: string) {
    return this.db.idpRegistrar.findUnique({ where: { idTag: registrar } });
  }

  async setQuota(registrar: string, maxIdentities: number, maxStorageBytes: number): Promise<void> {
    await this.db.idpRegistrar.upsert({
      where: { idTag: registrar },
      create: { idTag: registrar, maxIdentities, maxStorageBytes: BigInt(maxStorageBytes) },
      update: { maxIdentities, maxStorageBytes: BigInt(maxStorageBytes) },
    });
  }

  countFor(registrar: string): Promise<number> {
    return this.db.idpIdentity.count({ where: { registrarIdTag: registrar } });
  }

  addApiKey(idTag: string, key: NewApiKey): Promise<IdpApiKey> {
    return this.db.idpApiKey.create({ data: { idTag, ...key } });
  }

  listApiKeys(idTag: string | undefined): Promise<IdpApiKey[]> {
    return this.db.idpApiKey.findMany({
      where: idTag ? { idTag } : {},
      orderBy: { id: 'asc' },
      take: 1000,
    });
  }

  async deleteApiKey(id: number): Promise<boolean> {
    const { count } = await this.db.idpApiKey.deleteMany({ where: { id } });
    return count === 1;
  }

  /** The identity an unexpired key belongs to; records its use. */
  async identityOfKey(keyHash: string, now: Date): Promise<string | undefined> {
    const rows = await this.db.idpApiKey.updateManyAndReturn({
      where: { keyHash, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      data: { lastUsedAt: now },
      select: { idTag: true },
    });
    return rows[0]?.idTag;
  }
}
