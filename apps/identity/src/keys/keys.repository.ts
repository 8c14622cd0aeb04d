import { Inject, Injectable } from '@nestjs/common';
import { type IdentityDb, Prisma } from '@cloudillo/db-identity';

import { IDENTITY_DB } from '../tokens';

export interface StoredKey {
  keyId: string;
  createdAt: Date;
  publicKey: string;
  /** Sealed with the key-encryption key; opened only by KeyVault. */
  sealedPrivateKey: string;
}

/** The columns of a new key; its creation time is the service's clock, which rotation compares against. */
export function keyColumns(key: StoredKey) {
  return {
    keyId: key.keyId,
    publicKey: key.publicKey,
    privateKey: key.sealedPrivateKey,
    createdAt: key.createdAt,
  };
}

@Injectable()
export class KeysRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  async keyIds(tnId: number): Promise<string[]> {
    const rows = await this.db.tenantKey.findMany({ where: { tnId }, select: { keyId: true } });
    return rows.map((r) => r.keyId);
  }

  /**
   * The key that signs for a tenant now: the greatest key id that has not expired and was published
   * at least `leadMs` ago (peers caching the profile have had time to see it); when every key is
   * younger than that, the one published longest (a new tenant's first and only key, at once).
   */
  async signingKey(
    idTag: string,
    now: Date,
    leadMs: number,
  ): Promise<(StoredKey & { tnId: number }) | undefined> {
    const rows = await this.db.tenantKey.findMany({
      where: {
        tenant: { idTag, status: { not: 'X' } },
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
      orderBy: { keyId: 'desc' },
    });
    const publishedBy = now.getTime() - leadMs;
    const row = rows.find((r) => r.createdAt.getTime() <= publishedBy) ?? rows.at(-1);
    return row
      ? {
          tnId: row.tnId,
          keyId: row.keyId,
          publicKey: row.publicKey,
          sealedPrivateKey: row.privateKey,
          createdAt: row.createdAt,
        }
      : undefined;
  }

  /**
   * Adds a key and retires every older one still open-ended at `retireAt` (their `expiresAt`):
   * from then on they sign nothing, but stay published for as long as the tenant exists, since
   * tokens they signed before are served for years (history sync, reposts); a verifier takes a
   * token signed with one only if it was issued before `retireAt`. The reference never deletes
   * a key either. One transaction, so a tenant never has no key.
   * Returns false when another replica rotated the same tenant to the same id first.
   */
  async addKeyRetiringOthers(tnId: number, key: StoredKey, retireAt: Date): Promise<boolean> {
    try {
      await this.db.$transaction([
        this.db.tenantKey.create({
          data: { tnId, ...keyColumns(key) },
        }),
        this.db.tenantKey.updateMany({
          where: { tnId, keyId: { not: key.keyId }, expiresAt: null },
          data: { expiresAt: retireAt },
        }),
      ]);
      return true;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        return false;
      throw error;
    }
  }

  /** Active tenants whose newest key is older than `cutoff`, oldest first. */
  async dueForRotation(cutoff: Date, limit: number): Promise<{ tnId: number; idTag: string }[]> {
    return this.db.tenant.findMany({
      where: { status: 'A', keys: { none: { createdAt: { gte: cutoff } } } },
      select: { tnId: true, idTag: true },
      orderBy: { tnId: 'asc' },
      take: limit,
    });
  }
}
