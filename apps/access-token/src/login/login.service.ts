import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable } from '@nestjs/common';
import { RateLimiter } from '@cloudillo/rate-limit';
import { UnauthorizedError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { type AuthConfig } from '../config';
import { CredentialsService } from '../credentials/credentials.service';
import { randomId, TokenIssuer } from '../keys/token-issuer';
import { RefsService } from '../refs/refs.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { ownerRoles } from '../tenants/owner-roles';
import { type TenantProfile, TenantProfiles } from '../tenants/tenant-profiles';
import { AUTH_CONFIG } from '../tokens';

/** `tLoginResult` of the upstream client: every field present, `profilePic` a string. */
export interface LoginResult {
  tnId: number;
  idTag: string;
  roles: string[];
  token: string;
  name: string;
  profilePic: string;
}

/**
 * Logins of a tenant's own user. The tenant is the request's, already admitted by the guard
 * (suspended 503, unknown 404), so none of these asks again whether it may be served.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly profiles: TenantProfiles,
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsRepository,
    private readonly issuer: TokenIssuer,
    private readonly limiter: RateLimiter,
    private readonly refs: RefsService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /**
   * Password login at the tenant the Host names. Every failure looks the same (one message, one
   * delay), whether the id_tag or the password was wrong.
   */
  async login(
    hostTenant: TenantContext,
    idTag: string,
    password: string,
    clientAddress: string,
  ): Promise<LoginResult> {
    const tenant = idTag === hostTenant.idTag ? hostTenant : undefined;
    const ok = await this.credentials.check(tenant?.tnId ?? 0, password);
    if (!tenant || !ok) {
      // Guessing costs: the address's auth bucket (shared with the gateway) fills faster.
      await this.limiter
        .penalize('auth', clientAddress, this.config.loginPenalty.points)
        .catch(() => undefined);
      await sleep(this.config.loginFailureDelayMs);
      throw new UnauthorizedError('wrong id_tag or password');
    }
    return this.sessionFor(tenant);
  }

  /** A fresh login result for the caller's live session (`GET /api/auth/login-token`). */
  async resume(tenant: TenantContext, sid: string): Promise<LoginResult> {
    const profile = await this.profiles.of(tenant);
    const roles = ownerRoles(profile);
    const { token, exp } = await this.issuer.issue({
      tenant: tenant.idTag,
      subject: tenant.idTag,
      roles,
      sid,
    });
    if (!(await this.sessions.extend(sid, exp))) throw new UnauthorizedError('session was revoked');
    return result(tenant, profile, roles, token);
  }

  /**
   * `POST /api/auth/set-password`: a welcome or reset link sets the password, ends every other
   * session, and logs the holder in.
   */
  async setPasswordWithRef(
    tenant: TenantContext,
    refId: string,
    password: string,
  ): Promise<LoginResult> {
    await this.refs.consume(tenant, refId, ['welcome', 'password']);
    await this.credentials.setPassword(tenant, password);
    return this.sessionFor(tenant);
  }

  /**
   * A new session for the tenant's owner, once proven: by a password, a link, a passkey or an
   * approval from a device already logged in.
   */
  async sessionFor(tenant: TenantContext): Promise<LoginResult> {
    const sid = randomId();
    const profile = await this.profiles.of(tenant);
    const roles = ownerRoles(profile);
    const { token, exp } = await this.issuer.issue({
      tenant: tenant.idTag,
      subject: tenant.idTag,
      roles,
      sid,
    });
    await this.sessions.create(sid, tenant, exp);
    return result(tenant, profile, roles, token);
  }
}

function result(
  tenant: TenantContext,
  profile: TenantProfile,
  roles: string[],
  token: string,
): LoginResult {
  return {
    tnId: tenant.tnId,
    idTag: tenant.idTag,
    roles,
    token,
    name: profile.name,
    profilePic: profile.profilePic ?? '',
  };
}
