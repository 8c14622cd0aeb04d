import { Body, Controller, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  Tenant,
  type AuthContext,
  AuthUser,
  Authenticated,
  Public,
  ZodPipe,
} from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { type CommunityCreated, RegistrationService } from './registration.service';

const registerBody = z
  .object({
    type: z.enum(['domain', 'idp']),
    idTag: z.string().max(253),
    appDomain: z.string().max(253).optional(),
    email: z.email().max(254),
    token: z.string().min(1).max(128),
    lang: z.string().max(16).optional(),
  })
  .strict();
const communityBody = z
  .object({
    type: z.enum(['domain', 'idp']),
    name: z.string().trim().min(1).max(200).optional(),
    appDomain: z.string().max(253).optional(),
    profilePic: z.string().max(128).optional(),
    inviteRef: z.string().max(128).optional(),
    /** In the upstream client's request type; the reference reads nothing from it, nor do we. */
    token: z.string().max(1024).optional(),
  })
  .strict();

@Controller('api/profiles')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  /** Public, with a `register` invite from this provider's server admin (protocol §1.6). */
  @Post('register')
  @Public()
  @HttpCode(200)
  register(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(registerBody)) body: z.output<typeof registerBody>,
  ): Promise<Record<string, never>> {
    return this.registration.register(tenant.idTag, body);
  }

  /**
   * A community led by the caller — a tenant's own user: the server admin, or anyone holding a
   * `profile.invite`.
   */
  @Put(':idTag')
  @Authenticated({ role: 'leader', owner: true })
  createCommunity(
    @AuthUser() creator: AuthContext,
    @Param('idTag') idTag: string,
    @Body(new ZodPipe(communityBody)) body: z.output<typeof communityBody>,
  ): Promise<CommunityCreated> {
    const { token: _unused, ...community } = body;
    return this.registration.createCommunity(creator, { ...community, idTag });
  }
}
