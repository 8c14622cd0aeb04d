import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { passwordSchema, refIdSchema } from '@cloudillo/contracts';
import {
  Authenticated,
  type AuthContext,
  AuthUser,
  OptionalAuth,
  OptionalAuthUser,
  Public,
  Tenant,
  ZodPipe,
} from '@cloudillo/http';
import { ForbiddenError, idTagSchema, UnauthorizedError } from '@cloudillo/protocol';
import { forwardedClientAddress } from '@cloudillo/rate-limit';
import { type TenantContext } from '@cloudillo/tenancy';
import { type Request } from 'express';
import { z } from 'zod';

import { CredentialsService } from '../credentials/credentials.service';
import { TokenIssuer } from '../keys/token-issuer';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { LinksService } from '../mail/links.service';
import { ProxyExchangeService } from '../proxy/proxy-exchange.service';
import { ProxyTokenService } from '../proxy/proxy-token.service';
import { type AccessLevelName, toRefView } from '../refs/ref-view';
import { QrLoginService } from '../qr-login/qr-login.service';
import { RefsService } from '../refs/refs.service';
import { WebAuthnService } from '../webauthn/webauthn.service';
import { type ScopedFileToken, ViaTokensService } from '../links/via-tokens.service';
import { SessionsService } from '../sessions/sessions.service';
import { type LoginResult, LoginService } from './login.service';
import { RefreshService } from './refresh.service';

const loginBody = z.object({
  idTag: z.string().min(1).max(253),
  password: z.string().min(1).max(1024),
});
const setPasswordBody = z.object({ refId: refIdSchema, newPassword: passwordSchema });
const forgotBody = z
  .object({ idTag: z.string().max(253).optional(), email: z.string().max(254).optional() })
  .optional();
const passwordBody = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: passwordSchema,
});
const accessTokenQuery = z.object({
  scope: z
    .string()
    .regex(/^[A-Za-z0-9:~_,.-]{1,200}$/)
    .optional(),
  token: z.string().optional(),
  refId: z.string().optional(),
  apiKey: z.string().optional(),
  via: z.string().optional(),
  refresh: z.enum(['true', 'false']).optional(),
});
const logoutBody = z
  .object({ apiKey: z.string().min(1).max(128).optional() })
  .strict()
  .optional();
const proxyQuery = z.object({ idTag: idTagSchema.optional() });

/** The client's `tRefAccessTokenResult`. */
interface ShareLinkToken extends ScopedFileToken {
  params?: string;
}

@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly issuer: TokenIssuer,
    private readonly revocations: SessionsService,
    private readonly credentials: CredentialsService,
    private readonly links: LinksService,
    private readonly proxies: ProxyExchangeService,
    private readonly peerTokens: ProxyTokenService,
    private readonly apiKeys: ApiKeysService,
    private readonly refs: RefsService,
    private readonly qr: QrLoginService,
    private readonly webauthn: WebAuthnService,
    private readonly viaTokens: ViaTokensService,
    private readonly refreshes: RefreshService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  passwordLogin(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(loginBody)) body: z.output<typeof loginBody>,
    @Req() req: Request,
  ): Promise<LoginResult> {
    return this.login.login(tenant, body.idTag, body.password, forwardedClientAddress(req));
  }

  /** The current login refreshed, or `null` when the caller is not logged in (the client's contract). */
  @Get('login-token')
  @OptionalAuth()
  async loginToken(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() auth: AuthContext | undefined,
  ): Promise<LoginResult | null> {
    if (!auth?.owner || auth.sid === undefined) return null;
    return this.login.resume(tenant, auth.sid);
  }

  /**
   * The shell's first call: the current login if the caller has a live session, otherwise the ways
   * to log in here — a QR login session, and a passkey challenge when the tenant has passkeys.
   */
  @Post('login-init')
  @OptionalAuth()
  @HttpCode(200)
  async loginInit(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() auth: AuthContext | undefined,
    @Req() req: Request,
  ): Promise<
    | { status: 'authenticated'; login: LoginResult }
    | {
        status: 'unauthenticated';
        qrLogin: { sessionId: string; secret: string };
        webAuthn?: { options: unknown; token: string };
      }
  > {
    if (auth?.owner && auth.sid !== undefined) {
      return { status: 'authenticated', login: await this.login.resume(tenant, auth.sid) };
    }
    const userAgent = req.headers['user-agent']?.slice(0, 300);
    const qrLogin = await this.qr.init(tenant, {
      ...(userAgent ? { userAgent } : {}),
      ipAddress: forwardedClientAddress(req),
    });
    const passkeys = await this.webauthn.list(tenant);
    return passkeys.length > 0
      ? {
          status: 'unauthenticated',
          qrLogin,
          webAuthn: await this.webauthn.loginOptions(tenant),
        }
      : { status: 'unauthenticated', qrLogin };
  }

  /**
   * Ends the session: this token and every other token of the session stop working at once. With
   * `apiKey` (a "stay logged in" key), that key is deleted too.
   */
  @Post('logout')
  @HttpCode(200)
  async logout(
    @Tenant() tenant: TenantContext,
    @AuthUser() auth: AuthContext,
    @Body(new ZodPipe(logoutBody)) body: z.output<typeof logoutBody>,
  ): Promise<null> {
    if (auth.sid === undefined) throw new UnauthorizedError('this token has no session to end');
    if (body?.apiKey !== undefined) await this.apiKeys.delete(tenant, { plaintext: body.apiKey });
    await this.revocations.revoke(tenant.tnId, auth.sid);
    return null;
  }

  @Post('set-password')
  @Public()
  @HttpCode(200)
  setPassword(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(setPasswordBody)) body: z.output<typeof setPasswordBody>,
  ): Promise<LoginResult> {
    return this.login.setPasswordWithRef(tenant, body.refId, body.newPassword);
  }

  /** Always the same answer: whether the tenant has an address on file is nobody's business. */
  @Post('forgot-password')
  @Public()
  @HttpCode(200)
  async forgotPassword(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(forgotBody)) _body: z.output<typeof forgotBody>,
  ): Promise<{ message: string }> {
    await this.links.sendReset(tenant);
    return { message: 'If an address is on file, a reset link is on its way.' };
  }

  @Post('password')
  @Authenticated({ owner: true })
  @HttpCode(200)
  async changePassword(
    @Tenant() tenant: TenantContext,
    @AuthUser() auth: AuthContext,
    @Body(new ZodPipe(passwordBody)) body: z.output<typeof passwordBody>,
  ): Promise<null> {
    if (auth.sid === undefined || (await this.apiKeys.keyOfSession(auth.sid)))
      throw new ForbiddenError('a password is changed from a login session, not with an API key');
    if (!(await this.credentials.check(tenant.tnId, body.currentPassword))) {
      throw new ForbiddenError('the current password is wrong');
    }
    await this.credentials.setPassword(tenant, body.newPassword, auth.sid);
    return null;
  }

  /**
   * Protocol §4.3, every branch: a PROXY action token from a peer (`token=`), a share link
   * (`refId=`), an API key (`apiKey=`), or a plain refresh of the caller's token (optionally
   * narrowed to a scope), or a file linked from a container the caller can read (`via=`).
   */
  @Get('access-token')
  @OptionalAuth()
  async accessToken(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() auth: AuthContext | undefined,
    @Query(new ZodPipe(accessTokenQuery)) query: z.output<typeof accessTokenQuery>,
  ): Promise<{ token: string } | ShareLinkToken> {
    if (query.token !== undefined) return this.proxies.exchange(tenant.idTag, query.token);
    if (query.apiKey !== undefined) return this.apiKeys.exchange(tenant, query.apiKey);
    if (query.refId !== undefined)
      return this.shareLink(
        tenant,
        query.refId,
        query.refresh === 'true' ? { renewing: auth } : undefined,
      );
    if (!auth) throw new UnauthorizedError();
    if (query.via !== undefined)
      return this.viaTokens.grant(tenant.idTag, auth, query.via, query.scope);
    return this.refreshes.refresh(tenant, auth, query.scope);
  }

  /** `GET /api/auth/proxy-token?idTag=` (protocol §4.4): a token at a peer, or a local one without idTag. */
  @Get('proxy-token')
  @Authenticated({ role: 'leader' })
  async proxyToken(
    @Tenant() tenant: TenantContext,
    @AuthUser() auth: AuthContext,
    @Query(new ZodPipe(proxyQuery)) query: z.output<typeof proxyQuery>,
  ): Promise<{ token: string; roles?: string[] }> {
    if (query.idTag === undefined || query.idTag === tenant.idTag)
      return this.refreshes.refresh(tenant, auth, undefined);
    if (!auth.owner) throw new ForbiddenError('only the tenant’s own user speaks for it elsewhere');
    return this.peerTokens.tokenAt(tenant.idTag, query.idTag);
  }

  private async shareLink(
    tenant: TenantContext,
    refId: string,
    refresh: { renewing: AuthContext | undefined } | undefined,
  ): Promise<ShareLinkToken> {
    const { ref, scope } = await this.refs.shareLinkToken(tenant, refId, refresh?.renewing);
    const { token, exp } = await this.issuer.issue({ tenant: tenant.idTag, roles: [], scope });
    const view = toRefView(ref);
    return {
      token,
      scope,
      resourceId: view.resourceId as string,
      accessLevel: view.accessLevel as AccessLevelName,
      expiresAt: exp,
      ...(view.params === undefined ? {} : { params: view.params }),
    };
  }
}
