import { COMMUNITY_ROLES } from '@cloudillo/protocol';

import { type TenantProfile } from './tenant-profiles';

/** A tenant's own user gets every community role up to leader, plus its extras (protocol §4.2). */
export function ownerRoles(profile: TenantProfile): string[] {
  return [
    ...COMMUNITY_ROLES,
    ...profile.roles.filter((r) => !COMMUNITY_ROLES.includes(r as never)),
  ];
}
