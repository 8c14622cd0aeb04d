import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { UnauthorizedError } from '@cloudillo/protocol';
import { type Request } from 'express';

import { apiKeyOf, authOf, type AuthContext } from './auth-context';

/** The verified caller; on a route that lets anonymous callers through, use `OptionalAuthUser`. */
export const AuthUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = authOf(ctx.switchToHttp().getRequest<Request>());
  if (!auth) throw new UnauthorizedError();
  return auth;
});

export const OptionalAuthUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthContext | undefined =>
    authOf(ctx.switchToHttp().getRequest<Request>()),
);

/** The API key (`cl_…`, `idp_…`) sent as the Bearer value, unverified: the route checks it. */
export const ApiKey = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined =>
    apiKeyOf(ctx.switchToHttp().getRequest<Request>()),
);
