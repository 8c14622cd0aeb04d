import { Inject, Injectable } from '@nestjs/common';
import { type AuthContext } from '@cloudillo/http';
import { type TenantContext, unknownTenant } from '@cloudillo/tenancy';
import {
  AppError,
  type ProfileKey,
  type ProfileType,
  type PublicProfile,
} from '@cloudillo/protocol';

import { KnownProfilesRepository } from '../profiles/known-profiles.repository';
import { type ProfileInfo } from '../profiles/profile-info';
import { type PublishedKey, type TenantRecord } from '../tenants/tenant';
import { TenantEvents } from '../tenants/tenant-events';
import { TenantsRepository } from '../tenants/tenants.repository';
import { CLOCK, type Clock } from '../tokens';
import { applySectionsPatch, type CallerTier, MAX_SECTIONS, visibleSections } from './sections';

/** `GET /api/me/full`: the public profile plus cover and the sections the caller may see. */
export interface FullProfile extends PublicProfile {
  coverPic?: string;
  x?: Record<string, string>;
}

export interface OwnProfilePatch {
  name?: string | undefined;
  x?: Record<string, string | null> | undefined;
}

@Injectable()
export class ProfileService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly known: KnownProfilesRepository,
    private readonly events: TenantEvents,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `GET /api/me`: the federation profile with every published key (protocol §1.2). */
  async publicProfile(of: TenantContext): Promise<PublicProfile> {
    const { tenant, keys } = await this.load(of);
    return this.toPublic(tenant, keys);
  }

  async fullProfile(of: TenantContext, caller: AuthContext | undefined): Promise<FullProfile> {
    const { tenant, keys } = await this.load(of);
    const profile: FullProfile = this.toPublic(tenant, keys);
    if (tenant.coverPic) profile.coverPic = tenant.coverPic;
    const x = visibleSections(tenant.x, await this.tierOf(tenant, caller));
    if (Object.keys(x).length > 0) profile.x = x;
    return profile;
  }

  /** `PATCH /api/me`: the owner's name and sections; a null section value removes it. */
  async updateOwn(of: TenantContext, patch: OwnProfilePatch): Promise<ProfileInfo> {
    const { x } = patch;
    const updated = await this.tenants.updateProfile(of.tnId, {
      name: patch.name,
      ...(x ? { apply: (current: Record<string, string>) => applySectionsPatch(current, x) } : {}),
    });
    if (updated === 'refused') {
      throw new AppError('E-CORE-TOOLARGE', `a profile holds at most ${MAX_SECTIONS} sections`);
    }
    if (!updated) throw unknownTenant(of.idTag);
    await this.events.profileChanged(of);
    return ownInfo(updated);
  }

  private async tierOf(tenant: TenantRecord, caller: AuthContext | undefined): Promise<CallerTier> {
    if (!caller || caller.anonymous) return 'public';
    if (caller.owner) return 'owner';
    const { connected, follower } = await this.known.closeness(tenant.tnId, caller.subject);
    return connected ? 'connected' : follower ? 'follower' : 'verified';
  }

  private async load(of: TenantContext): Promise<{ tenant: TenantRecord; keys: PublishedKey[] }> {
    const found = await this.tenants.findWithKeys({ tnId: of.tnId });
    if (!found || found.tenant.status === 'X') throw unknownTenant(of.idTag);
    return found;
  }

  private toPublic(tenant: TenantRecord, all: PublishedKey[]): PublicProfile {
    // Retired keys too, with the date they were retired: tokens they signed stay verifiable.
    const keys = all;
    const profile: PublicProfile = {
      idTag: tenant.idTag,
      name: tenant.name,
      type: tenant.type,
      keys: keys.map((k): ProfileKey => {
        const key: ProfileKey = { keyId: k.keyId, publicKey: k.publicKey };
        if (k.expiresAt) key.expiresAt = k.expiresAt.toISOString();
        return key;
      }),
    };
    if (tenant.profilePic) profile.profilePic = tenant.profilePic;
    return profile;
  }
}

/** The tenant itself as a ProfileInfo (the owner's view: every section, markers included). */
export function ownInfo(tenant: TenantRecord): ProfileInfo {
  const info: ProfileInfo = {
    idTag: tenant.idTag,
    name: tenant.name,
    type: tenant.type as ProfileType,
  };
  if (tenant.profilePic) info.profilePic = tenant.profilePic;
  if (Object.keys(tenant.x).length > 0) info.x = tenant.x;
  return info;
}
