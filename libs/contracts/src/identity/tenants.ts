import { COMMUNITY_ROLES, idTagSchema, PROFILE_TYPES, TENANT_STATUSES } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineEvent, defineRequest } from '../define';

/** A tenant as operators see it (CLI, admin, portal): never any key material beyond ids. */
export const tenantView = z.object({
  tnId: z.number().int().positive(),
  idTag: z.string(),
  type: z.enum(PROFILE_TYPES),
  name: z.string(),
  status: z.enum(TENANT_STATUSES),
  roles: z.array(z.string()),
  profilePic: z.string().optional(),
  createdAt: z.string(),
  keys: z.array(z.object({ keyId: z.string(), expiresAt: z.string().optional() })),
});
export type TenantView = z.infer<typeof tenantView>;

const name = z.string().trim().min(1).max(200);

/** Creates a tenant with its first key; E-CORE-CONFLICT when the id_tag is taken. */
export const createTenant = defineRequest({
  subject: 'identity.tenant.create.v1',
  request: z.object({
    idTag: idTagSchema,
    type: z.enum(PROFILE_TYPES).default('person'),
    name: name.optional(),
  }),
  response: tenantView,
});

/** Tenants by id, optionally filtered by an id_tag or name fragment; keyset-paged. */
export const listTenants = defineRequest({
  subject: 'identity.tenant.list.v1',
  request: z.object({
    search: z.string().trim().max(100).optional(),
    after: z.number().int().nonnegative().default(0),
    limit: z.number().int().min(1).max(500).default(50),
  }),
  response: z.object({ items: z.array(tenantView), next: z.number().int().optional() }),
});

export const getTenant = defineRequest({
  subject: 'identity.tenant.get.v1',
  request: z.object({ idTag: idTagSchema }),
  response: tenantView,
});

/** Suspends (`S`) or reactivates (`A`) a tenant; `identity.tenant.status-changed.v1` follows. */
export const setTenantStatus = defineRequest({
  subject: 'identity.tenant.set-status.v1',
  request: z.object({ idTag: idTagSchema, status: z.enum(['A', 'S']) }),
  response: tenantView,
});

/** A new tenant: caches that remembered its id_tag as "not ours" drop that at once. */
export const tenantCreated = defineEvent({
  subject: 'identity.tenant.created.v1',
  payload: z.object({ idTag: z.string(), tnId: z.number().int() }),
});

/**
 * What `GET /api/me` answers for a tenant changed (name, pictures, sections, keys): copies of it
 * (the gateway's) are dropped, as they are on the tenant events (created, status, purged).
 */
export const profileChanged = defineEvent({
  subject: 'identity.profile.changed.v1',
  payload: z.object({ idTag: z.string(), tnId: z.number().int() }),
});

/** A tenant was suspended or reactivated: caches of its status (the gateway's) drop it. */
export const tenantStatusChanged = defineEvent({
  subject: 'identity.tenant.status-changed.v1',
  payload: z.object({ idTag: z.string(), tnId: z.number().int(), status: z.enum(['A', 'S']) }),
});

/**
 * Marks a tenant purging (`X`: gone to the outside at once), announces `identity.tenant.purged.v1`
 * so every service removes its data, then removes identity's own. The base tenant cannot be purged.
 */
export const purgeTenant = defineRequest({
  subject: 'identity.tenant.purge.v1',
  request: z.object({ idTag: idTagSchema }),
  response: z.object({ idTag: z.string(), tnId: z.number().int() }),
});

export const tenantPurged = defineEvent({
  subject: 'identity.tenant.purged.v1',
  payload: z.object({ idTag: z.string(), tnId: z.number().int() }),
});

/**
 * Sets (or with `fileId: null` clears) a tenant's profile or cover picture. The blob service calls
 * it after storing the bytes of `PUT /api/me/image` / `PUT /api/me/cover` (protocol §8.1).
 */
export const setProfilePicture = defineRequest({
  subject: 'identity.profile.set-picture.v1',
  request: z.object({
    idTag: idTagSchema,
    kind: z.enum(['profile', 'cover']),
    fileId: z
      .string()
      .regex(/^f1~[A-Za-z0-9_-]{43}$/, 'a file id (f1~…)')
      .nullable(),
  }),
  response: z.object({
    idTag: z.string(),
    profilePic: z.string().optional(),
    coverPic: z.string().optional(),
  }),
});

/**
 * Gives a tenant a new key, published now and signing from `signsFrom` (after the publish lead,
 * so peers see it first); the old one signs until then and stays published for the grace window.
 */
export const rotateTenantKey = defineRequest({
  subject: 'identity.key.rotate.v1',
  request: z.object({ idTag: idTagSchema }),
  response: z.object({ keyId: z.string(), signsFrom: z.string().datetime() }),
});

/**
 * The roles `idTag` holds at `tenant` (the tenant's profile row for it, protocol §4.2): what a
 * PROXY exchange puts in the access token. Empty for strangers.
 */
export const rolesAtTenant = defineRequest({
  subject: 'identity.profile.roles.v1',
  request: z.object({ tenant: idTagSchema, idTag: idTagSchema }),
  response: z.object({ roles: z.array(z.string()) }),
  timeoutMs: 3_000,
});

/** A tenant's relationship with a peer (protocol §2.9, §4.2), as its known-profile row holds it. */
export const relationship = z.object({
  following: z.boolean(),
  follower: z.boolean(),
  connected: z.enum(['false', 'R', 'true']),
  blocked: z.boolean(),
  /** The tenant's user marked the peer trusted (`trust: always`): e.g. wall posts auto-approved. */
  trusted: z.boolean(),
  roles: z.array(z.string()),
});
export type Relationship = z.infer<typeof relationship>;

/** Reads a relationship; a peer the tenant does not know yet is a stranger (all false). */
export const getRelationship = defineRequest({
  subject: 'identity.profile.relation.v1',
  request: z.object({ tenant: idTagSchema, peer: idTagSchema }),
  response: relationship,
  timeoutMs: 3_000,
});

/**
 * Changes a relationship (action-federation's hooks: CONN, FLLW and their DEL/ACC, a community's
 * roles); the peer's row is created when it is new. Returns the relationship after the change.
 */
export const updateRelationship = defineRequest({
  subject: 'identity.profile.relate.v1',
  request: z.object({
    tenant: idTagSchema,
    peer: idTagSchema,
    set: z
      .object({
        following: z.boolean().optional(),
        follower: z.boolean().optional(),
        connected: z.enum(['false', 'R', 'true']).optional(),
        /** The community roles the tenant gives the peer (protocol §2.8), replacing its old ones. */
        roles: z.array(z.enum(COMMUNITY_ROLES)).max(COMMUNITY_ROLES.length).optional(),
      })
      .refine((s) => Object.keys(s).length > 0, 'nothing to change'),
  }),
  response: relationship,
  timeoutMs: 3_000,
});

/** The tenant's followers (recipients of its broadcasts, protocol §2.6), keyset-paged by id_tag. */
export const listFollowers = defineRequest({
  subject: 'identity.profile.followers.v1',
  request: z.object({
    tenant: idTagSchema,
    after: z.string().max(253).optional(),
    limit: z.number().int().min(1).max(5000).default(1000),
  }),
  response: z.object({ items: z.array(z.string()), next: z.string().optional() }),
  timeoutMs: 5_000,
});
