import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable } from '@nestjs/common';
import { type TenantView } from '@cloudillo/contracts';
import { RateLimiter } from '@cloudillo/rate-limit';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@cloudillo/protocol';

import { type AuthConfig } from '../config';
import { CredentialsService } from '../credentials/credentials.service';
import { randomId, TokenIssuer } from '../keys/token-issuer';
import { RefsService } from '../refs/refs.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { AUTH_CONFIG } from '../tokens';
import { ownerRoles, TenantDirectory } from './tenant-directory';

/** `tLoginResult` of the upstream client: every field present, `profilePic` a string. */
export interface LoginResult {
  tnId: number;
  idTag: string;
  roles: string[];
  token: string;
  name: string;
  profilePic: string;
}

@Injectable()
export class LoginService {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsRepository,
    private readonly issuer: TokenIssuer,
    private readonly limiter: RateLimiter,
    private readonly refs: RefsService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /**
   * Password login at the tenant the Host names. Every failure looks the same (one message, one
   * delay), whether the tenant, the account or the password was wrong.
   */
  async login(
    hostTenant: string,
    idTag: string,
    password: string,
    clientAddress: string,
  ): Promise<LoginResult> {
    const tenant = idTag === hostTenant ? await this.tenants.find(hostTenant) : undefined;
    const ok = await this.credentials.check(tenant?.tnId ?? 0, password);
    if (!tenant || !ok) {
      // Guessing costs: the address's auth bucket (shared with the gateway) fills faster.
      await this.limiter
        .penalize('auth', clientAddress, this.config.loginPenalty.points)
        .catch(() => undefined);
      await sleep(this.config.loginFailureDelayMs);
      throw new UnauthorizedError('wrong id_tag or password');
    }
    if (tenant.status !== 'A') throw new ForbiddenError('this tenant is suspended');
    return this.startSession(tenant);
  }

  /** A fresh login result for the caller's live session (`GET /api/auth/login-token`). */
  async resume(hostTenant: string, sid: string): Promise<LoginResult> {
    const tenant = await this.tenants.find(hostTenant);
    if (!tenant || tenant.status !== 'A') throw new UnauthorizedError('tenant is not active');
    const roles = ownerRoles(tenant);
    const { token, exp } = await this.issuer.issue({
      tenant: tenant.idTag,
      subject: tenant.idTag,
      roles,
      sid,
    });
    if (!(await this.sessions.extend(sid, exp))) throw new UnauthorizedError('session was revoked');
    return this.result(tenant, roles, token);
  }

  /** The tenant's tn_id, for rows keyed by it. */
  async tenantId(idTag: string): Promise<number> {
    const tenant = await this.tenants.find(idTag);
    if (!tenant) throw new UnauthorizedError('tenant is gone');
    return tenant.tnId;
  }

  /**
   * `POST /api/auth/set-password`: a welcome or reset link sets the password, ends every other
   * session, and logs the holder in.
   */
  async setPasswordWithRef(
    hostTenant: string,
    refId: string,
    password: string,
  ): Promise<LoginResult> {
    const tenant = await this.tenants.find(hostTenant);
    if (!tenant) throw new NotFoundError(`unknown tenant ${hostTenant}`);
    if (tenant.status !== 'A') throw new ForbiddenError('this tenant is suspended');
    await this.refs.consume(hostTenant, refId, ['welcome', 'password']);
    await this.credentials.setPassword(tenant.tnId, tenant.idTag, password);
    return this.startSession(tenant);
  }

  /** A new session for the tenant's owner, once another factor (a passkey) has proven them. */
  async sessionFor(idTag: string): Promise<LoginResult> {
    const tenant = await this.tenants.find(idTag);
    if (!tenant) throw new UnauthorizedError('unknown tenant');
    if (tenant.status !== 'A') throw new ForbiddenError('this tenant is suspended');
    return this.startSession(tenant);
  }

  private async startSession(tenant: TenantView): Promise<LoginResult> {
    const sid = randomId();
    const roles = ownerRoles(tenant);
    const { token, exp } = await this.issuer.issue({
      tenant: tenant.idTag,
      subject: tenant.idTag,
      roles,
      sid,
    });
    await this.sessions.create(sid, tenant.tnId, tenant.idTag, exp);
    return this.result(tenant, roles, token);
  }

  private result(tenant: TenantView, roles: string[], token: string): LoginResult {
    return {
      tnId: tenant.tnId,
      idTag: tenant.idTag,
      roles,
      token,
      name: tenant.name,
      profilePic: tenant.profilePic ?? '',
    };
  }
}
