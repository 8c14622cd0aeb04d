import { Inject, Injectable } from '@nestjs/common';
import { type IdentityDb } from '@cloudillo/db-identity';
import {
  decodeCursor,
  encodeCursor,
  NotFoundError,
  type ProfileType,
  ValidationError,
} from '@cloudillo/protocol';
import { Page } from '@cloudillo/http';

import { TenantsService } from '../tenants/tenants.service';
import { IDENTITY_DB } from '../tokens';
import {
  type ProfileFilter,
  KnownProfilesRepository,
  type RelationshipPatch,
} from './known-profiles.repository';
import { type ProfileInfo } from './profile-info';

/** `/api/me` without keys, as `GET /api/profiles/batch` returns it. */
export interface ProfileSummary {
  idTag: string;
  name: string;
  type: ProfileType;
  profilePic?: string;
}

const CURSOR_SORT = 'idTag';

@Injectable()
export class ProfilesService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly known: KnownProfilesRepository,
    @Inject(IDENTITY_DB) private readonly db: IdentityDb,
  ) {}

  async list(
    tenant: string,
    filter: ProfileFilter,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<ProfileInfo>> {
    const tnId = await this.tnIdOf(tenant);
    let after: string | undefined;
    if (cursor !== undefined) {
      const decoded = decodeCursor(cursor);
      if (!decoded || decoded.s !== CURSOR_SORT || typeof decoded.id !== 'string') {
        throw new ValidationError('invalid cursor');
      }
      after = decoded.id;
    }
    const rows = await this.known.list(tnId, filter, after, limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const hasMore = rows.length > limit;
    return new Page(items, {
      nextCursor:
        hasMore && last ? encodeCursor({ s: CURSOR_SORT, v: last.idTag, id: last.idTag }) : null,
      hasMore,
    });
  }

  /** A profile the tenant knows, or null (the client's `tOptionalProfile`). */
  async get(tenant: string, idTag: string): Promise<ProfileInfo | null> {
    return (await this.known.get(await this.tnIdOf(tenant), idTag)) ?? null;
  }

  async patch(
    tenant: string,
    idTag: string,
    patch: RelationshipPatch,
  ): Promise<Record<string, never>> {
    const updated = await this.known.patch(await this.tnIdOf(tenant), idTag, patch);
    if (!updated) throw new NotFoundError(`${tenant} does not know ${idTag}`);
    return {};
  }

  /**
   * Public summaries of identities: this deployment's tenants from their rows, others from the
   * remote-profile cache. Unknown ones are left out.
   */
  async batch(idTags: string[]): Promise<ProfileSummary[]> {
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

  private async tnIdOf(tenant: string): Promise<number> {
    return (await this.tenants.resolve(tenant)).tnId;
  }
}
