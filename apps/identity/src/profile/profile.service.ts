import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, type ProfileKey, type PublicProfile } from '@cloudillo/protocol';

import { TenantsRepository } from '../tenants/tenants.repository';
import { CLOCK, type Clock } from '../tokens';

@Injectable()
export class ProfileService {
  constructor(
    private readonly tenants: TenantsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `GET /api/me`: the federation profile with every published key (protocol §1.2). */
  async publicProfile(idTag: string): Promise<PublicProfile> {
    const found = await this.tenants.findWithKeys(idTag);
    if (!found || found.tenant.status === 'X') throw new NotFoundError(`unknown tenant ${idTag}`);
    const { tenant } = found;
    const now = this.clock().getTime();
    // A retired key is listed with its expiry until the sweeper removes it, never after it expires.
    const keys = found.keys.filter((k) => !k.expiresAt || k.expiresAt.getTime() > now);
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
