import { z } from 'zod';

/** Visibility of an action or file, most to least open (protocol §2.4). Absent means direct. */
export const VISIBILITIES = ['P', 'V', '2', 'F', 'C', 'S', 'D'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const visibilitySchema = z.enum(VISIBILITIES);

/** Action row status (protocol §2.4). */
export const ACTION_STATUSES = ['P', 'V', 'A', 'C', 'N', 'D', 'R', 'S', 'F'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** Community roles, lowest first; roles expand cumulatively up this list (protocol §4.2). */
export const COMMUNITY_ROLES = [
  'public',
  'follower',
  'supporter',
  'contributor',
  'moderator',
  'leader',
] as const;
export type CommunityRole = (typeof COMMUNITY_ROLES)[number];

/** The server-admin role, held by the base tenant (protocol §1.6). */
export const SERVER_ADMIN_ROLE = 'SADM';

/** Every role implied by `role`: the role itself and all below it. */
export function expandRole(role: CommunityRole): CommunityRole[] {
  return COMMUNITY_ROLES.slice(0, COMMUNITY_ROLES.indexOf(role) + 1);
}

/** Subscription roles of a conversation, lowest first (protocol §2.8). */
export const SUBSCRIPTION_ROLES = ['observer', 'member', 'moderator', 'admin'] as const;
export type SubscriptionRole = (typeof SUBSCRIPTION_ROLES)[number];

export const PROFILE_TYPES = ['person', 'community'] as const;
export type ProfileType = (typeof PROFILE_TYPES)[number];

/** Tenant lifecycle (protocol §1.6): active, suspended, purging. */
export const TENANT_STATUSES = ['A', 'S', 'X'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];
