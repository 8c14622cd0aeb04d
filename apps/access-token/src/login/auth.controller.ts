import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { passwordSchema, refIdSchema } from '@cloudillo/contracts';
import {
  ApiTenant,
  type AuthContext,
  AuthUser,
  OptionalAuth,
  OptionalAuthUser,
  Public,
  ZodPipe,
} from '@cloudillo/http';
import { AppError, ForbiddenError, type IdTag, UnauthorizedError } from '@cloudillo/protocol';
import { forwardedClientAddress } from '@cloudillo/rate-limit';
import { type Request } from 'express';
import { z } from 'zod';

import { CredentialsService } from '../credentials/credentials.service';
import { TokenIssuer } from '../keys/token-issuer';
import { LinksService } from '../mail/links.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { type LoginResult, LoginService } from './login.service';

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
  refresh: z.string().optional(),
});

function ownerOnly(auth: AuthContext): AuthContext & { sid: string } {
  if (!auth.owner || auth.sid === undefined)
    throw new ForbiddenError('only the tenant owner may do this');
  return auth as AuthContext & { sid: string };
}

@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly issuer: TokenIssuer,
    private readonly sessions: SessionsRepository,
    private readonly revocations: SessionsService,
    private readonly credentials: CredentialsService,
    private readonly links: LinksService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  passwordLogin(
    @ApiTenant() tenant: IdTag,
    @Body(new ZodPipe(loginBody)) body: z.output<typeof loginBody>,
    @Req() req: Request,
  ): Promise<LoginResult> {
    return this.login.login(tenant.ascii, body.idTag, body.password, forwardedClientAddress(req));
  }

  /** The current login refreshed, or `null` when the caller is not logged in (the client's contract). */
  @Get('login-token')
  @OptionalAuth()
  async loginToken(@OptionalAuthUser() auth: AuthContext | undefined): Promise<LoginResult | null> {
    if (!auth?.owner || auth.sid === undefined) return null;
    return this.login.resume(auth.tenant, auth.sid);
  }

  /** Ends the session: this token and every other token of the session stop working at once. */
  @Post('logout')
  @HttpCode(200)
  async logout(@AuthUser() auth: AuthContext): Promise<null> {
    if (auth.sid === undefined) throw new UnauthorizedError('this token has no session to end');
    const tenant = await this.tenantId(auth);
    await this.revocations.revoke(tenant, auth.sid);
    return null;
  }

  @Post('set-password')
  @Public()
  @HttpCode(200)
  setPassword(
    @ApiTenant() tenant: IdTag,
    @Body(new ZodPipe(setPasswordBody)) body: z.output<typeof setPasswordBody>,
  ): Promise<LoginResult> {
    return this.login.setPasswordWithRef(tenant.ascii, body.refId, body.newPassword);
  }

  /** Always the same answer: whether the tenant has an address on file is nobody's business. */
  @Post('forgot-password')
  @Public()
  @HttpCode(200)
  async forgotPassword(
    @ApiTenant() tenant: IdTag,
    @Body(new ZodPipe(forgotBody)) _body: z.output<typeof forgotBody>,
  ): Promise<{ message: string }> {
    await this.links.sendReset(tenant.ascii);
    return { message: 'If an address is on file, a reset link is on its way.' };
  }

  @Post('password')
  @HttpCode(200)
  async changePassword(
    @AuthUser() caller: AuthContext,
    @Body(new ZodPipe(passwordBody)) body: z.output<typeof passwordBody>,
  ): Promise<null> {
    const auth = ownerOnly(caller);
    const tnId = await this.tenantId(auth);
    if (!(await this.credentials.check(tnId, body.currentPassword))) {
      throw new ForbiddenError('the current password is wrong');
    }
    await this.credentials.setPassword(tnId, auth.tenant, body.newPassword, auth.sid);
    return null;
  }

  /**
   * Protocol §4.3. This slice serves the plain refresh (optionally narrowed to a scope); the PROXY,
   * share-ref, API-key and `via` branches arrive with the rest of issue 4.
   */
  @Get('access-token')
  @OptionalAuth()
  async accessToken(
    @OptionalAuthUser() auth: AuthContext | undefined,
    @Query(new ZodPipe(accessTokenQuery)) query: z.output<typeof accessTokenQuery>,
  ): Promise<{ token: string }> {
    if (query.token ?? query.refId ?? query.apiKey ?? query.via) {
      throw new AppError('E-CORE-UNSUPPORTED', 'this access-token exchange is not served yet', {
        status: 501,
      });
    }
    if (!auth) throw new UnauthorizedError();
    // A scoped token may be refreshed, never widened (scopes fail closed, protocol §4.2).
    if (auth.scope !== undefined && query.scope !== undefined && query.scope !== auth.scope) {
      throw new ForbiddenError('a scoped token cannot be exchanged for another scope');
    }
    const scope = query.scope ?? auth.scope;
    const { token, exp } = await this.issuer.issue({
      tenant: auth.tenant,
      ...(auth.anonymous ? {} : { subject: auth.subject }),
      roles: [...auth.roles],
      ...(scope === undefined ? {} : { scope }),
      ...(auth.sid === undefined ? {} : { sid: auth.sid }),
    });
    if (auth.sid !== undefined && !(await this.sessions.extend(auth.sid, exp))) {
      throw new UnauthorizedError('session was revoked');
    }
    return { token };
  }

  private async tenantId(auth: AuthContext): Promise<number> {
    return this.login.tenantId(auth.tenant);
  }
}
