import { Inject, Injectable } from '@nestjs/common';
import { ContractClient, rolesAtTenant } from '@cloudillo/contracts';
import { type AuthContext } from '@cloudillo/http';
import { ForbiddenError, UnauthorizedError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { ApiKeysService } from '../api-keys/api-keys.service';
import { TokenIssuer } from '../keys/token-issuer';
import { SessionsRepository } from '../sessions/sessions.repository';
import { ownerRoles } from '../tenants/owner-roles';
import { TenantProfiles } from '../tenants/tenant-profiles';
import { CLOCK, type Clock } from '../tokens';

/**
 * `GET /api/auth/access-token` with only the caller's token (optionally narrowed to a scope,
 * protocol §4.3): a new token re-derived from the live grant, never copied from the presented
 * one — so a grant that is gone or narrowed ends its tokens at their next refresh at the latest.
 * - the tenant's own session: the tenant's current roles (a removed `SADM` is gone), only while
 *   the session is live (the guard refuses a tenant that is not active); an API key's session only while the key lives;
 * - a `via` token: the same scope through the same container (the blob service checks the link
 *   on every use);
 * - a visitor from another node: no plain renewal (its node asks for a new token with a new
 *   PROXY exchange); narrowing to a scope takes the visitor's current roles, not the token's;
 * - a share link's token: renewed through the link itself (`?refId=&refresh=true`).
 */
@Injectable()
export class RefreshService {
  constructor(
    private readonly profiles: TenantProfiles,
    private readonly sessions: SessionsRepository,
    private readonly apiKeys: ApiKeysService,
    private readonly issuer: TokenIssuer,
    private readonly rpc: ContractClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async refresh(
    tenant: TenantContext,
    auth: AuthContext,
    scope: string | undefined,
  ): Promise<{ token: string }> {
    // A scoped token may be refreshed, never widened (scopes fail closed, protocol §4.2).
    if (auth.scope !== undefined && scope !== undefined && scope !== auth.scope) {
      throw new ForbiddenError('a scoped token cannot be exchanged for another scope');
    }
    const narrowed = scope ?? auth.scope;
    if (auth.anonymous)
      throw new UnauthorizedError(
        'a share link’s token is renewed through its link (refresh=true)',
      );
    if (auth.via !== undefined) return this.throughContainer(auth);
    if (auth.owner && auth.sid !== undefined)
      return this.ownSession(tenant, auth, auth.sid, narrowed);
    if (!auth.owner && narrowed !== undefined && auth.scope === undefined)
      return this.visitorNarrowed(auth, narrowed);
    throw new UnauthorizedError(
      auth.owner
        ? 'this token belongs to no session: log in again'
        : 'a visitor’s token is renewed by a new PROXY exchange at this node',
    );
  }

  private async ownSession(
    tenant: TenantContext,
    auth: AuthContext,
    sid: string,
    scope: string | undefined,
  ): Promise<{ token: string }> {
    const key = await this.apiKeys.keyOfSession(sid);
    if (key?.expiresAt && key.expiresAt.getTime() <= this.clock().getTime())
      throw new UnauthorizedError('the API key has expired');
    const { token, exp } = await this.issuer.issue({
      tenant: tenant.idTag,
      subject: auth.subject,
      roles: ownerRoles(await this.profiles.of(tenant)),
      ...(scope === undefined ? {} : { scope }),
      sid,
      ...(key?.expiresAt ? { notAfter: Math.floor(key.expiresAt.getTime() / 1000) } : {}),
    });
    if (!(await this.sessions.extend(sid, exp))) throw new UnauthorizedError('session was revoked');
    return { token };
  }

  private async throughContainer(auth: AuthContext): Promise<{ token: string }> {
    const { token } = await this.issuer.issue({
      tenant: auth.tenant,
      subject: auth.subject,
      roles: [],
      ...(auth.scope === undefined ? {} : { scope: auth.scope }),
      ...(auth.via === undefined ? {} : { via: auth.via }),
    });
    return { token };
  }

  /** §4.4 step 6: a visitor's token narrowed to a scope, with its current roles, no longer-lived. */
  private async visitorNarrowed(auth: AuthContext, scope: string): Promise<{ token: string }> {
    const { roles } = await this.rpc.request(rolesAtTenant, {
      tenant: auth.tenant,
      idTag: auth.subject,
    });
    const { token } = await this.issuer.issue({
      tenant: auth.tenant,
      subject: auth.subject,
      roles,
      scope,
      notAfter: auth.exp,
    });
    return { token };
  }
}
