import { Inject, Injectable } from '@nestjs/common';
import { type IdentityDb } from '@cloudillo/db-identity';

import { IDENTITY_DB } from '../tokens';
import { type RemoteProfileDocument } from './remote-profile.schema';

export interface CachedKey {
  publicKey: string;
  expiresAt: Date | null;
}

@Injectable()
export class RemoteKeysRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  async key(idTag: string, keyId: string): Promise<CachedKey | undefined> {
    const row = await this.db.remoteKey.findUnique({ where: { idTag_keyId: { idTag, keyId } } });
    return row ? { publicKey: row.publicKey, expiresAt: row.expiresAt } : undefined;
  }

  async fetchedAt(idTag: string): Promise<Date | undefined> {
    const row = await this.db.remoteProfile.findUnique({
      where: { idTag },
      select: { fetchedAt: true },
    });
    return row?.fetchedAt;
  }

  async failureUntil(idTag: string, now: Date): Promise<Date | undefined> {
    const row = await this.db.remoteFetchFailure.findUnique({ where: { idTag } });
    return row && row.until > now ? row.until : undefined;
  }

  async recordFailure(idTag: string, reason: string, until: Date): Promise<void> {
    await this.db.remoteFetchFailure.upsert({
      where: { idTag },
      create: { idTag, reason, until },
      update: { reason, until },
    });
  }

  /** Replaces what we know of a peer with what it just published, keys included, atomically. */
  async store(profile: RemoteProfileDocument, fetchedAt: Date): Promise<void> {
    const { idTag } = profile;
    const fields = {
      name: profile.name,
      type: profile.type,
      profilePic: profile.profilePic ?? null,
      fetchedAt,
    };
    await this.db.$transaction([
      this.db.remoteProfile.upsert({
        where: { idTag },
        create: { idTag, ...fields },
        update: fields,
      }),
      this.db.remoteKey.deleteMany({ where: { idTag } }),
      this.db.remoteKey.createMany({
        data: profile.keys.map((k) => ({
          idTag,
          keyId: k.keyId,
          publicKey: k.publicKey,
          expiresAt: k.expiresAt ? new Date(k.expiresAt) : null,
        })),
        skipDuplicates: true,
      }),
      this.db.remoteFetchFailure.deleteMany({ where: { idTag } }),
    ]);
  }
}
