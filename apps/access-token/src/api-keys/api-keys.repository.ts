import { Inject, Injectable } from '@nestjs/common';
import { type ApiKey, type AuthDb } from '@cloudillo/db-auth';
import { type TenantContext } from '@cloudillo/tenancy';

import { AUTH_DB } from '../tokens';

export interface NewApiKey {
  keyPrefix: string;
  keyHash: string;
  sid: string;
  name?: string | undefined;
  scopes?: string | undefined;
  expiresAt?: Date | undefined;
}

export type ApiKeyChange = Partial<Pick<ApiKey, 'name' | 'scopes' | 'expiresAt'>>;

/** A tenant's API keys; every query carries its tn_id (or the key's own hash). */
@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(AUTH_DB) private readonly db: AuthDb) {}

  /**
   * The key and its session (the owner's: its subject is the tenant), in one transaction: a key
   * never exists without a revocable session.
   */
  create({ tnId, idTag }: TenantContext, key: NewApiKey, sessionExp: Date): Promise<ApiKey> {
    return this.db.$transaction(async (tx) => {
      await tx.session.create({
        data: { sid: key.sid, tnId, subject: idTag, lastExp: sessionExp },
      });
      return tx.apiKey.create({ data: { tnId, ...key } });
    });
  }

  list(tnId: number): Promise<ApiKey[]> {
    return this.db.apiKey.findMany({ where: { tnId }, orderBy: { keyId: 'asc' } });
  }

  find(tnId: number, keyId: number): Promise<ApiKey | null> {
    return this.db.apiKey.findFirst({ where: { tnId, keyId } });
  }

  async update(tnId: number, keyId: number, change: ApiKeyChange): Promise<ApiKey | null> {
    const { count } = await this.db.apiKey.updateMany({ where: { tnId, keyId }, data: change });
    return count === 0 ? null : this.find(tnId, keyId);
  }

  async delete(
    tnId: number,
    where: { keyId: number } | { keyHash: string },
  ): Promise<ApiKey | undefined> {
    const rows = await this.db.apiKey.findMany({ where: { tnId, ...where } });
    const [key] = rows;
    if (!key) return undefined;
    await this.db.apiKey.delete({ where: { keyId: key.keyId } });
    return key;
  }

  findBySid(sid: string): Promise<ApiKey | null> {
    return this.db.apiKey.findUnique({ where: { sid } });
  }

  async deleteAll(tnId: number): Promise<number> {
    const { count } = await this.db.apiKey.deleteMany({ where: { tnId } });
    return count;
  }

  /** The unexpired key of `tnId` with this hash; records its use. */
  async use(tnId: number, keyHash: string, now: Date): Promise<ApiKey | undefined> {
    const rows = await this.db.apiKey.updateManyAndReturn({
      where: { tnId, keyHash, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      data: { lastUsedAt: now },
    });
    return rows[0];
  }
}
