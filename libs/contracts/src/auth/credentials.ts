import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineRequest } from '../define';

/** Minimum length of a password (protocol §8.1 `POST /api/auth/password`). */
export const PASSWORD_MIN_LENGTH = 8;
export const passwordSchema = z.string().min(PASSWORD_MIN_LENGTH).max(1024);

/**
 * Sets a tenant's password (operators: CLI `tenant create --password`, the demo tenant). Revokes
 * the tenant's open sessions, as a password change does.
 */
export const setTenantPassword = defineRequest({
  subject: 'access-token.password.set.v1',
  request: z.object({
    idTag: idTagSchema,
    password: passwordSchema,
  }),
  response: z.object({ revokedSessions: z.number().int().nonnegative() }),
  timeoutMs: 10_000,
});

/**
 * A newly registered tenant's welcome: access-token keeps the address for password resets and
 * mails a one-use link that sets the first password (`POST /api/auth/set-password`).
 */
export const sendWelcome = defineRequest({
  subject: 'access-token.welcome.send.v1',
  request: z.object({ idTag: idTagSchema, email: z.email().max(254) }),
  response: z.object({ expiresAt: z.string() }),
  timeoutMs: 15_000,
});
