import { Inject, Injectable } from '@nestjs/common';
import { type Relationship } from '@cloudillo/contracts';
import { type IdentityDb, type Prisma } from '@cloudillo/db-identity';
import { type ProfileType } from '@cloudillo/protocol';

import { IDENTITY_DB } from '../tokens';
import { type ProfileInfo } from './profile-info';

type Row = Prisma.ProfileGetPayload<object>;

const STRANGER: Relationship = {
  following: false,
  follower: false,
  connected: 'false',
  blocked: false,
  trusted: false,
  roles: [],
};

function relationOf(row: Row): Relationship {
  return {
    following: row.following,
    follower: row.follower,
    connected: row.connected === 'R' ? 'R' : row.connected === 'true' ? 'true' : 'false',
    blocked: row.status === 'B',
    trusted: row.trust === 'always',
    roles: row.roles,
  };
}

function connectedOf(value: string): boolean | 'R' {
  return value === 'R' ? 'R' : value === 'true';
}

export function toProfileInfo(row: Row): ProfileInfo {
  const info: ProfileInfo = {
    idTag: row.idTag,
    name: row.name,
    type: row.type as ProfileType,
    status: row.status as NonNullable<ProfileInfo['status']>,
    connected: connectedOf(row.connected),
    following: row.following,
    follower: row.follower,
    roles: row.roles,
  };
  if (row.profilePic !== null) info.profilePic = row.profilePic;
  if (row.trust === 'always' || row.trust === 'never') info.trust = row.trust;
  if (row.hiddenInHome) info.hiddenInHome = true;
  return info;
}

export interface ProfileFilter {
  q?: string | undefined;
  type?: ProfileType | undefined;
  connected?: boolean | undefined;
  following?: boolean | undefined;
  trust?: 'always' | 'never' | undefined;
}

export interface RelationshipPatch {
  status?: 'A' | 'B' | 'M' | undefined;
  trust?: 'always' | 'never' | null | undefined;
  hiddenInHome?: boolean | undefined;
}

/** The identities one tenant knows; every query is scoped by the tenant's tn_id. */
@Injectable()
export class KnownProfilesRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  async get(tnId: number, idTag: string): Promise<ProfileInfo | undefined> {
    const row = await this.db.profile.findUnique({ where: { tnId_idTag: { tnId, idTag } } });
    return row ? toProfileInfo(row) : undefined;
  }

  /** Keyset page by id_tag. */
  async list(
    tnId: number,
    filter: ProfileFilter,
    after: string | undefined,
    limit: number,
  ): Promise<ProfileInfo[]> {
    const rows = await this.db.profile.findMany({
      where: {
        tnId,
        ...(after === undefined ? {} : { idTag: { gt: after } }),
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.connected === undefined
          ? {}
          : { connected: filter.connected ? 'true' : 'false' }),
        ...(filter.following === undefined ? {} : { following: filter.following }),
        ...(filter.trust ? { trust: filter.trust } : {}),
        ...(filter.q
          ? {
              OR: [
                { idTag: { contains: filter.q, mode: 'insensitive' } },
                { name: { contains: filter.q, mode: 'insensitive' } },
              ],
            }
          : {}),
      },
      orderBy: { idTag: 'asc' },
      take: limit,
    });
    return rows.map(toProfileInfo);
  }

  /** Changes how the tenant treats a known identity; undefined when it does not know it. */
  async patch(
    tnId: number,
    idTag: string,
    patch: RelationshipPatch,
  ): Promise<ProfileInfo | undefined> {
    const data: Prisma.ProfileUpdateManyMutationInput = {};
    if (patch.status !== undefined) data.status = patch.status;
    if (patch.trust !== undefined) data.trust = patch.trust;
    if (patch.hiddenInHome !== undefined) data.hiddenInHome = patch.hiddenInHome;
    const { count } = await this.db.profile.updateMany({ where: { tnId, idTag }, data });
    return count === 0 ? undefined : this.get(tnId, idTag);
  }

  /** Records (or refreshes) an identity the tenant knows, with the roles it holds there. */
  async remember(
    tnId: number,
    profile: {
      idTag: string;
      name: string;
      type: ProfileType;
      profilePic?: string | undefined;
      roles?: string[];
      connected?: boolean;
    },
  ): Promise<void> {
    const fields = {
      name: profile.name,
      type: profile.type,
      profilePic: profile.profilePic ?? null,
      ...(profile.roles ? { roles: profile.roles } : {}),
      ...(profile.connected === undefined ? {} : { connected: String(profile.connected) }),
    };
    await this.db.profile.upsert({
      where: { tnId_idTag: { tnId, idTag: profile.idTag } },
      create: { tnId, idTag: profile.idTag, ...fields },
      update: fields,
    });
  }

  /** The roles the tenant gave `idTag`; none for an identity it does not know or has blocked. */
  async roles(tnId: number, idTag: string): Promise<string[]> {
    const row = await this.db.profile.findUnique({
      where: { tnId_idTag: { tnId, idTag } },
      select: { roles: true, status: true },
    });
    return row && row.status !== 'B' ? row.roles : [];
  }

  async relationship(tnId: number, idTag: string): Promise<Relationship> {
    const row = await this.db.profile.findUnique({ where: { tnId_idTag: { tnId, idTag } } });
    return row ? relationOf(row) : STRANGER;
  }

  /** Sets relationship flags, creating the peer's row (named after its first label) when new. */
  async relate(
    tnId: number,
    idTag: string,
    set: {
      following?: boolean | undefined;
      follower?: boolean | undefined;
      connected?: 'false' | 'R' | 'true' | undefined;
      roles?: string[] | undefined;
    },
  ): Promise<Relationship> {
    const data = {
      ...(set.following === undefined ? {} : { following: set.following }),
      ...(set.follower === undefined ? {} : { follower: set.follower }),
      ...(set.connected === undefined ? {} : { connected: set.connected }),
      ...(set.roles === undefined ? {} : { roles: [...new Set(set.roles)] }),
    };
    const row = await this.db.profile.upsert({
      where: { tnId_idTag: { tnId, idTag } },
      create: { tnId, idTag, name: idTag.split('.')[0] ?? idTag, type: 'person', ...data },
      update: data,
    });
    return relationOf(row);
  }

  /** Keyset page of the tenant's followers (not blocked), by id_tag. */
  async followers(tnId: number, after: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.profile.findMany({
      where: {
        tnId,
        follower: true,
        status: { not: 'B' },
        ...(after ? { idTag: { gt: after } } : {}),
      },
      select: { idTag: true },
      orderBy: { idTag: 'asc' },
      take: limit,
    });
    return rows.map((r) => r.idTag);
  }

  /** How close `idTag` is to the tenant, for section visibility. */
  async closeness(tnId: number, idTag: string): Promise<{ connected: boolean; follower: boolean }> {
    const row = await this.db.profile.findUnique({
      where: { tnId_idTag: { tnId, idTag } },
      select: { connected: true, follower: true, status: true },
    });
    if (!row || row.status === 'B') return { connected: false, follower: false };
    return { connected: row.connected === 'true', follower: row.follower };
  }
}
