import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineEvent, defineRequest } from '../define';

/**
 * Published whenever a tenant's action reaches a visible state: created here, verified from an
 * inbox, or answered (accepted/rejected). `/ws/bus` pushes it to the tenant's clients (protocol
 * §7.1 `ACTION`), and services react to the types they own (the blob service to an accepted FSHR).
 */
export const actionStored = defineEvent({
  subject: 'action-federation.action.stored.v1',
  payload: z.object({
    tenant: idTagSchema,
    actionId: z.string().regex(/^a1~[A-Za-z0-9_-]{43}$/),
    type: z.string().min(1).max(32),
    subType: z.string().min(1).max(32).optional(),
    issuer: idTagSchema,
    audience: idTagSchema.optional(),
    subject: z.string().max(256).optional(),
    status: z.enum(['A', 'C', 'N', 'D']),
    /** The client's placeholder for an action it created (protocol §2.2), when it sent one. */
    tempId: z.string().max(64).optional(),
  }),
});

/**
 * Another service has a tenant announce something as an action, signed and delivered like one its
 * user created (the blob service offers a file share as an FSHR). The same rules apply.
 */
export const createAction = defineRequest({
  subject: 'action-federation.action.create.v1',
  request: z.object({
    tenant: idTagSchema,
    type: z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/),
    subType: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{0,15}$/)
      .optional(),
    audienceTag: idTagSchema.optional(),
    subject: z.string().min(1).max(256).optional(),
    content: z.unknown().optional(),
  }),
  response: z.object({ actionId: z.string() }),
  timeoutMs: 15_000,
});

/**
 * What an FSHR this tenant issued grants a user on one of its files (protocol §5.2 "owner-issued
 * FSHR"): the newest FSHR keyed to the file and user, its subtype as a level (none = R,
 * COMMENT = C, WRITE = W, ADMIN = A); `null` when there is none or it was withdrawn (`FSHR:DEL`).
 */
export const fileShareGrant = defineRequest({
  subject: 'action-federation.file-share.grant.v1',
  request: z.object({
    tenant: idTagSchema,
    fileId: z.string().min(1).max(256),
    user: idTagSchema,
  }),
  response: z.object({ permission: z.enum(['R', 'C', 'W', 'A']).nullable() }),
  timeoutMs: 2_000,
});
