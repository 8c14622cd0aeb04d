import { type IncomingMessage } from 'node:http';

import { Injectable } from '@nestjs/common';
import { ForbiddenError, scopeAllowsPath, UnauthorizedError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { RequestTenants } from '../tenancy/request-tenants';
import { AccessTokenVerifier } from './access-token-verifier';
import { type AuthContext, bearerOf } from './auth-context';

/** Who opens a WebSocket: the Host's tenant and, when a token came, the verified caller. */
export interface UpgradeCaller {
  tenant: TenantContext;
  /** Absent for a guest without a token. */
  auth?: AuthContext;
}

/** The path and query of a request's URL (a relative URL needs a base; any will do). */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://upgrade.invalid');
}

/**
 * The guard's rules for a WebSocket upgrade (`/ws/*`, where no framework guard runs): the Host's
 * tenant (unknown 404, suspended 503), the token from `Authorization: Bearer` or `?token=` (a
 * browser cannot set headers on a WebSocket), verified for that tenant, and a scoped token kept to
 * its paths. Errors are the guard's: 401 for a bad or expired token, 403 outside the scope.
 */
@Injectable()
export class UpgradeAuthenticator {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly tenants: RequestTenants,
  ) {}

  async authenticate(req: IncomingMessage): Promise<UpgradeCaller> {
    const tenant = await this.tenants.require(req);
    const url = requestUrl(req);
    const token = tokenOf(req, url);
    if (token === undefined) return { tenant };
    const auth = await this.verifier.verify(token, tenant.idTag);
    if (auth.scope !== undefined && !scopeAllowsPath(auth.scope, 'GET', url.pathname))
      throw new ForbiddenError(`the token's scope does not reach ${url.pathname}`);
    return { tenant, auth };
  }
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) return bearerOf(header);
  const query = url.searchParams.getAll('token');
  if (query.length === 0) return undefined;
  if (query.length > 1 || query[0] === '') throw new UnauthorizedError('one token, please');
  return query[0];
}
