import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Authenticated, Public, Tenant, ZodPipe } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import {
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';

import { type LoginResult } from '../login/login.service';
import { type CredentialView, WebAuthnService } from './webauthn.service';

const b64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/)
  .max(16_384);
/** The shape of a browser's PublicKeyCredential JSON; the library checks the content. */
const credentialResponse = z
  .object({
    id: b64url.min(1).max(512),
    rawId: b64url.min(1).max(512),
    type: z.literal('public-key'),
    response: z.record(z.string(), z.unknown()),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.string().max(32).optional(),
  })
  .passthrough();
const regBody = z.object({
  token: z.string().max(64),
  response: credentialResponse,
  description: z.string().trim().min(1).max(100).default('passkey'),
});
const loginBody = z.object({ token: z.string().max(64), response: credentialResponse });

/** `/api/auth/wa/*` (protocol §8.1): enrolment for the owner (lead), login for anyone. */
@Controller('api/auth/wa')
export class WebAuthnController {
  constructor(private readonly webauthn: WebAuthnService) {}

  // Passkeys belong to the tenant's own user: a leader of a community may not enrol one for it.
  @Get('reg/challenge')
  @Authenticated({ role: 'leader', owner: true })
  registrationChallenge(
    @Tenant() tenant: TenantContext,
  ): Promise<{ options: unknown; token: string }> {
    return this.webauthn.registrationOptions(tenant);
  }

  @Post('reg')
  @Authenticated({ role: 'leader', owner: true })
  register(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(regBody)) body: z.output<typeof regBody>,
  ): Promise<CredentialView> {
    return this.webauthn.register(
      tenant,
      body.token,
      body.response as unknown as RegistrationResponseJSON,
      body.description,
    );
  }

  @Get('reg')
  @Authenticated({ role: 'leader' })
  list(@Tenant() tenant: TenantContext): Promise<CredentialView[]> {
    return this.webauthn.list(tenant);
  }

  @Delete('reg/:credentialId')
  @Authenticated({ role: 'leader', owner: true })
  async delete(
    @Tenant() tenant: TenantContext,
    @Param('credentialId', new ZodPipe(b64url.min(1).max(512))) id: string,
  ): Promise<null> {
    await this.webauthn.delete(tenant, id);
    return null;
  }

  @Get('login/challenge')
  @Public()
  loginChallenge(@Tenant() tenant: TenantContext): Promise<{ options: unknown; token: string }> {
    return this.webauthn.loginOptions(tenant);
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  login(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(loginBody)) body: z.output<typeof loginBody>,
  ): Promise<LoginResult> {
    return this.webauthn.authenticate(
      tenant,
      body.token,
      body.response as unknown as AuthenticationResponseJSON,
    );
  }
}
