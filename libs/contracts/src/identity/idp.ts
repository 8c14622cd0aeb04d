import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineRequest } from '../define';

/** The content of an `IDP:REG` action (protocol §1.5 step 3). */
export const idpRegistrationContent = z.object({
  idTag: idTagSchema,
  email: z.email().max(254).optional(),
  ownerIdTag: idTagSchema.optional(),
  issuer: z.enum(['registrar', 'owner']).optional(),
  /** "ip,ip", a host name, or "auto" (the registrar's address as seen by the IdP) */
  address: z.string().max(400).optional(),
  lang: z.string().max(16).optional(),
});

/**
 * The identity provider's `IDP:REG` hook: the federation inbox calls it once the action token is
 * verified (issuer = registrar, audience = this IdP's domain). Answers as the reference does.
 */
export const registerAtIdp = defineRequest({
  subject: 'identity.idp.register.v1',
  request: z.object({
    registrarIdTag: idTagSchema,
    /** The registrar's address as the inbox saw it, for `address: "auto"`. */
    registrarAddress: z.string().max(64).optional(),
    content: idpRegistrationContent,
  }),
  response: z.object({
    success: z.boolean(),
    message: z.string(),
    identityStatus: z.enum(['pending', 'active', 'suspended']).optional(),
    activationRef: z.string().optional(),
    apiKey: z.string().optional(),
  }),
});
