import { z } from 'zod';

/** Default lifetime of an access token (protocol §4.1). */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/**
 * Claims of our access tokens: the reference's `{iss, sub?, scope?, r?, exp}` (protocol §4.1) plus
 * `iat`, `jti`, `sid` (the login session, so that logout revokes every token it produced) and
 * `via` (the container file a scoped token was granted through, §4.3 `via=`: the file's link from
 * that container is checked again on every use). `iss` is the tenant the token is valid at;
 * without `sub` the token is anonymous (a share link).
 */
export const accessTokenClaimsSchema = z.object({
  iss: z.string().min(1),
  sub: z.string().min(1).optional(),
  scope: z.string().min(1).max(1000).optional(),
  r: z.string().max(1000).optional(),
  exp: z.number().int(),
  iat: z.number().int(),
  jti: z.string().min(1).max(64),
  sid: z.string().min(1).max(64).optional(),
  via: z.string().min(1).max(64).optional(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

/** `r` is a comma-separated role list on the wire. */
export function parseRoles(r: string | undefined): string[] {
  return r ? r.split(',').filter((role) => role !== '') : [];
}
