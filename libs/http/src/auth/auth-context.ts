import { COMMUNITY_ROLES, SERVER_ADMIN_ROLE, UnauthorizedError } from '@cloudillo/protocol';
import { type Request } from 'express';

/** Who is calling, as a verified access token says (protocol §4.1). */
export interface AuthContext {
  /** The tenant (A-label) the token is valid at: always the tenant the request addresses. */
  tenant: string;
  /** The caller's id_tag; the tenant itself for an anonymous share-link token. */
  subject: string;
  /** A token without `sub` (a share link): it may reach only what its scope names. */
  anonymous: boolean;
  /** The tenant's own user (owner): `sub` equals `iss`. */
  owner: boolean;
  roles: ReadonlySet<string>;
  scope?: string;
  /** The container file a scoped token was granted through (`via=`, protocol §4.3). */
  via?: string;
  /** The login session; logout revokes every token it produced. */
  sid?: string;
  /** The token's own id and expiry (Unix seconds), e.g. to revoke exactly it. */
  jti: string;
  exp: number;
}

export type AuthRequest = Request & { cloudillo?: { auth?: AuthContext; apiKey?: string } };

const BEARER = /^Bearer\s+(\S+)$/i;

/** The value of an `Authorization` header; anything but `Bearer <value>` is 401. */
export function bearerOf(header: string): string {
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new UnauthorizedError('Authorization must be "Bearer <token>"');
  return match[1];
}

/** API keys travel as Bearer values too (`cl_…`, `idp_…`); routes that take one verify it. */
export const API_KEY_PREFIXES = ['cl_', 'idp_'] as const;

export function apiKeyOf(req: Request): string | undefined {
  return (req as AuthRequest).cloudillo?.apiKey;
}

export function setApiKey(req: Request, apiKey: string): void {
  const typed = req as AuthRequest;
  typed.cloudillo = { ...typed.cloudillo, apiKey };
}

export function authOf(req: Request): AuthContext | undefined {
  return (req as AuthRequest).cloudillo?.auth;
}

export function setAuth(req: Request, auth: AuthContext): void {
  const typed = req as AuthRequest;
  typed.cloudillo = { ...typed.cloudillo, auth };
}

/** A role the route may require: a community role (cumulative) or the server-admin role. */
export type RequiredRole = (typeof COMMUNITY_ROLES)[number] | typeof SERVER_ADMIN_ROLE;

/** Whether the caller holds `role` (roles are cumulative, protocol §4.2: a higher one counts). */
export function holdsRole(auth: AuthContext, role: RequiredRole): boolean {
  if (role === SERVER_ADMIN_ROLE) return auth.roles.has(SERVER_ADMIN_ROLE);
  const needed = COMMUNITY_ROLES.indexOf(role);
  return COMMUNITY_ROLES.some((r, i) => i >= needed && auth.roles.has(r));
}
