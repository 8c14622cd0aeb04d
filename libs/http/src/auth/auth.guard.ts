import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ForbiddenError,
  NotFoundError,
  scopeAllowsPath,
  UnauthorizedError,
} from '@cloudillo/protocol';
import { type Request } from 'express';

import { RequestTenants } from '../tenancy/request-tenants';
import { AccessTokenVerifier } from './access-token-verifier';
import { API_KEY_PREFIXES, bearerOf, holdsRole, setApiKey, setAuth } from './auth-context';
import { AUTH_POLICY, type AuthPolicy } from './auth-policy';

const REQUIRED: AuthPolicy = { kind: 'required' };

/**
 * `?token=` is read only where a browser cannot set a header: WebSockets and file URLs, and only
 * to read (an `<img src>` or a link never writes). File answers are sandboxed and send no
 * `Referer`, so no page can read the token from its URL.
 */
function queryTokenAllowed(path: string, method: string): boolean {
  if (path.startsWith('/ws/')) return true;
  return path.startsWith('/api/files/') && (method === 'GET' || method === 'HEAD');
}

function tokenOf(req: Request, path: string): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) return bearerOf(header);
  const query = req.query['token'];
  if (query === undefined || !queryTokenAllowed(path, req.method)) return undefined;
  if (typeof query !== 'string' || query === '')
    throw new UnauthorizedError('token must be a string');
  return query;
}

/**
 * The one guard of every service: finds the request's tenant (`@Tenant()`; unknown 404,
 * suspended 503, for every route), reads the token (Bearer; `?token=` only on `/ws/*` and
 * `/api/files/*`), verifies it for that tenant, keeps scoped tokens to their paths (fail closed)
 * and checks the route's role. Routes are protected unless marked otherwise.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
    private readonly tenants: RequestTenants,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // NATS handlers: trusted by NATS permissions
    const req = context.switchToHttp().getRequest<Request>();
    const tenant = await this.tenants.of(req);
    const policy =
      this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? REQUIRED;
    if (policy.kind === 'public') return true;
    const path = req.path;
    let token = tokenOf(req, path);
    const presented = token;
    if (
      presented !== undefined &&
      API_KEY_PREFIXES.some((prefix) => presented.startsWith(prefix))
    ) {
      // Not a token: the route that accepts this kind of key checks it (see @ApiKey).
      setApiKey(req, presented);
      token = undefined;
    }
    if (token === undefined) {
      if (policy.kind === 'optional') return true;
      throw new UnauthorizedError();
    }
    if (!tenant) throw new NotFoundError('unknown host');
    const auth = await this.verifier.verify(token, tenant.idTag);
    if (auth.scope !== undefined && !scopeAllowsPath(auth.scope, req.method, path)) {
      throw new ForbiddenError(`the token's scope does not reach ${path}`);
    }
    if (policy.kind === 'required') {
      if (auth.anonymous && !policy.allowAnonymous)
        throw new ForbiddenError('a user token is required');
      if (policy.role && !holdsRole(auth, policy.role)) {
        throw new ForbiddenError(`role ${policy.role} required`);
      }
      if (policy.owner && !auth.owner) {
        throw new ForbiddenError('only the tenant’s own user may do this');
      }
    }
    setAuth(req, auth);
    return true;
  }
}
