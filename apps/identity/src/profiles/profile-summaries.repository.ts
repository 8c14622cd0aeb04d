import { Inject, Injectable } from '@nestjs/common';
import { type IdentityDb } from '@cloudillo/db-identity';
import { type ProfileType } from '@cloudillo/protocol';

import { IDENTITY_DB } from '../tokens';

/** `/api/me` without keys, as `GET /api/profiles/batch` returns it. */
export interface ProfileSummary {
  idTag: string;
  name: string;
  type: ProfileType;
  profilePic?: string;
}

/** Public summaries of identities, local or remote, by id_tag. */
@Injectable()
export class ProfileSummariesRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  /**
   * This deployment's tenants from their rows, others from the remote-profile cache; unknown ones
   * are left out.
   */
  async find(idTags: string[]): Promise<ProfileSummary[]> {
    const local = await this.db.tenant.findMany({
      where: { idTag: { in: idTags }, status: { not: 'X' } },
      select: { idTag: true, name: true, type: true, profilePic: true },
    });
    const seen = new Set(local.map((t) => t.idTag));
    const remote = await this.db.remoteProfile.findMany({
      where: { idTag: { in: idTags.filter((t) => !seen.has(t)) } },
      select: { idTag: true, name: true, type: true, profilePic: true },
    });
    return [...local, ...remote].map((row) => {
      const summary: ProfileSummary = {
        idTag: row.idTag,
        name: row.name,
        type: row.type as ProfileType,
      };
      if (row.profilePic) summary.profilePic = row.profilePic;
      return summary;
    });
  }
}
