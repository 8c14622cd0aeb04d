import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineRequest } from '../define';

/** Kinds of ref (protocol §4.5, issue 4): what a link or code lets its holder do. */
export const REF_TYPES = [
  'share.file',
  'register',
  'welcome',
  'password',
  'profile.invite',
  'idp.activation',
] as const;
export type RefType = (typeof REF_TYPES)[number];

export const refIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a ref id');

const consumedRef = z.object({
  refId: z.string(),
  type: z.enum(REF_TYPES),
  tnId: z.number().int(),
  createdBy: z.string(),
  resourceId: z.string().optional(),
  accessLevel: z.enum(['R', 'C', 'W']).optional(),
  params: z.string().optional(),
});

/**
 * Uses a ref of `tenant` once: E-CORE-NOTFOUND when there is no such ref of an accepted type,
 * E-CORE-GONE when it expired or has no uses left. Atomic: two consumers never share a last use.
 */
export const consumeRef = defineRequest({
  subject: 'access-token.ref.consume.v1',
  request: z.object({
    tenant: idTagSchema,
    refId: refIdSchema,
    types: z.array(z.enum(REF_TYPES)).min(1),
  }),
  response: consumedRef,
});

/** Gives back a use taken by `consumeRef` when the step it paid for failed. */
export const releaseRef = defineRequest({
  subject: 'access-token.ref.release.v1',
  request: z.object({ tenant: idTagSchema, refId: refIdSchema }),
  response: z.object({ released: z.boolean() }),
});
