import { SetMetadata } from '@nestjs/common';

import { type RequiredRole } from './auth-context';

export const AUTH_POLICY = 'cloudillo:auth-policy';

/**
 * How a route treats credentials. Routes without a policy require a valid token (fail closed);
 * a route is public only when it says so.
 */
export type AuthPolicy =
  | { kind: 'public' }
  | { kind: 'optional' }
  | { kind: 'required'; role?: RequiredRole; allowAnonymous?: boolean; owner?: boolean };

/** No credentials read (`pub` in protocol §8). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(AUTH_POLICY, { kind: 'public' } satisfies AuthPolicy);

/** A token is used when present and valid; a bad token is still refused (`opt`). */
export const OptionalAuth = (): MethodDecorator & ClassDecorator =>
  SetMetadata(AUTH_POLICY, { kind: 'optional' } satisfies AuthPolicy);

/**
 * A token is required; with `role`, the caller must hold it (`leader` for owner/leader routes,
 * `SADM` for server admin); with `owner`, it must be the tenant's own user (not a federated
 * leader of a community). Anonymous share-link tokens are refused unless allowed.
 */
export const Authenticated = (
  options: { role?: RequiredRole; allowAnonymous?: boolean; owner?: boolean } = {},
): MethodDecorator & ClassDecorator =>
  SetMetadata(AUTH_POLICY, { kind: 'required', ...options } satisfies AuthPolicy);
