import { z } from 'zod';

import { idTagSchema } from './id-tag';
import { visibilitySchema } from './enums';

const unixSeconds = z.number().int().nonnegative();
const actionType = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{1,15}(:[A-Z][A-Z0-9]{0,15})?$/, 'not TYPE[:SUBTYPE]');
const reference = z.string().min(1).max(256);

const claimsShape = {
  iss: idTagSchema,
  k: z.string().min(1).max(32),
  t: actionType,
  c: z.unknown().optional(),
  p: reference.optional(),
  a: z.array(reference).max(64).optional(),
  aud: idTagSchema.optional(),
  sub: reference.optional(),
  iat: unixSeconds,
  exp: unixSeconds.optional(),
  f: z
    .string()
    .regex(/^[rRcCoO]*$/)
    .max(8)
    .optional(),
  v: visibilitySchema.optional(),
  _: z.string().max(128).optional(),
};

/**
 * The claims of an action token (protocol §2.1) as this node writes them: nothing beyond the
 * protocol's. Optional claims are omitted when empty, never null. Per-type rules (required and
 * forbidden fields, content schemas) live in the type registry.
 */
export const actionTokenClaimsSchema = z.strictObject(claimsShape);

/**
 * The claims of a token another node signed: the same rules, but claims this version does not
 * know are left out of the result instead of refusing the token, so that a newer peer's actions
 * still arrive (the stored token keeps them, and its id is the hash of the token as received).
 */
export const receivedActionTokenClaimsSchema = z.object(claimsShape);

export type ActionTokenClaims = z.infer<typeof actionTokenClaimsSchema>;

/** Splits `t` into its base type and optional subtype: `REACT:LIKE` → `['REACT', 'LIKE']`. */
export function splitActionType(t: string): { type: string; subType?: string } {
  const colon = t.indexOf(':');
  return colon === -1 ? { type: t } : { type: t.slice(0, colon), subType: t.slice(colon + 1) };
}
