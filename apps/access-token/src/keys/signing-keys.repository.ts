import { Inject, Injectable } from '@nestjs/common';
import { type AuthDb, type SigningKey } from '@cloudillo/db-auth';

import { AUTH_DB } from '../tokens';

/** The access-token signing keys; `kid`s sort by age (`at-yymmdd`). */
@Injectable()
export class SigningKeysRepository {
  constructor(@Inject(AUTH_DB) private readonly db: AuthDb) {}

  /** The newest key not being retired: the one that signs. */
  async newest(): Promise<SigningKey | undefined> {
    const row = await this.db.signingKey.findFirst({
      where: { retiresAt: null },
      orderBy: { kid: 'desc' },
    });
    return row ?? undefined;
  }

  /** Keys a token may still name at `now`, newest first. */
  live(now: Date): Promise<SigningKey[]> {
    return this.db.signingKey.findMany({
      where: { OR: [{ retiresAt: null }, { retiresAt: { gt: now } }] },
      orderBy: { kid: 'desc' },
    });
  }

  /** Stores a key unless one with its kid exists (a replica rotating the same day won the race). */
  async add(
    key: Pick<SigningKey, 'kid' | 'publicKey' | 'privateKey' | 'createdAt'>,
  ): Promise<void> {
    await this.db.signingKey.createMany({ data: [key], skipDuplicates: true });
  }

  /** Every key but `kid` that is not yet being retired stops verifying at `retiresAt`. */
  async retireAllBut(kid: string, retiresAt: Date): Promise<void> {
    await this.db.signingKey.updateMany({
      where: { kid: { not: kid }, retiresAt: null },
      data: { retiresAt },
    });
  }

  /** Destroys keys retired before `before`. */
  async deleteRetiredBefore(before: Date): Promise<void> {
    await this.db.signingKey.deleteMany({ where: { retiresAt: { lt: before } } });
  }
}
