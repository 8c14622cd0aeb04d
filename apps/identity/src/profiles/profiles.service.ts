import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor, NotFoundError, ValidationError } from '@cloudillo/protocol';
import { Page } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';

import {
  type ProfileFilter,
  KnownProfilesRepository,
  type RelationshipPatch,
} from './known-profiles.repository';
import { type ProfileInfo } from './profile-info';
import { ProfileSummariesRepository, type ProfileSummary } from './profile-summaries.repository';

const CURSOR_SORT = 'idTag';

@Injectable()
export class ProfilesService {
  constructor(
    private readonly known: KnownProfilesRepository,
    private readonly summaries: ProfileSummariesRepository,
  ) {}

  async list(
    tnId: number,
    filter: ProfileFilter,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<ProfileInfo>> {
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
  async get(tnId: number, idTag: string): Promise<ProfileInfo | null> {
    return (await this.known.get(tnId, idTag)) ?? null;
  }

  async patch(
    tenant: TenantContext,
    idTag: string,
    patch: RelationshipPatch,
  ): Promise<Record<string, never>> {
    const updated = await this.known.patch(tenant.tnId, idTag, patch);
    if (!updated) throw new NotFoundError(`${tenant.idTag} does not know ${idTag}`);
    return {};
  }

  /**
   * Public summaries of identities: this deployment's tenants from their rows, others from the
   * remote-profile cache. Unknown ones are left out.
   */
  async batch(idTags: string[]): Promise<ProfileSummary[]> {
    return this.summaries.find(idTags);
  }
}
