import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, UnauthorizedError, ValidationError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';

import { type LoginResult, LoginService } from '../login/login.service';
import { TenantProfiles } from '../tenants/tenant-profiles';
import { CLOCK, type Clock } from '../tokens';
import { ChallengeStore } from './challenge-store';
import { PasskeysRepository } from './passkeys.repository';

interface Ceremony {
  tnId: number;
  idTag: string;
  challenge: string;
}

export interface CredentialView {
  credentialId: string;
  description: string;
}

/**
 * Passkeys (protocol §9): the RP ID is the id_tag and the origin `https://<id_tag>`; enrolling is
 * for the owner, logging in is public. Ceremony state lives in Redis for 120 s and is used once.
 */
@Injectable()
export class WebAuthnService {
  constructor(
    private readonly passkeys: PasskeysRepository,
    private readonly profiles: TenantProfiles,
    private readonly challenges: ChallengeStore,
    private readonly login: LoginService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async registrationOptions(tenant: TenantContext): Promise<{ options: unknown; token: string }> {
    const existing = await this.passkeys.list(tenant.tnId);
    const { name } = await this.profiles.of(tenant);
    const options = await generateRegistrationOptions({
      rpName: 'Cloudillo',
      rpID: tenant.idTag,
      userName: tenant.idTag,
      userDisplayName: name,
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({
        id: c.credentialId,
        ...transportsOf(c.transports),
      })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    const token = await this.challenges.put<Ceremony>('reg', {
      tnId: tenant.tnId,
      idTag: tenant.idTag,
      challenge: options.challenge,
    });
    return { options, token };
  }

  async register(
    tenant: TenantContext,
    token: string,
    response: RegistrationResponseJSON,
    description: string,
  ): Promise<CredentialView> {
    const { idTag } = tenant;
    const ceremony = await this.challenges.take<Ceremony>('reg', token);
    if (!ceremony || ceremony.idTag !== idTag)
      throw new UnauthorizedError('the registration ceremony expired or is not yours');
    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: `https://${idTag}`,
      expectedRPID: idTag,
      requireUserVerification: false,
    }).catch((error: unknown) => {
      throw new ValidationError(`passkey not accepted: ${(error as Error).message}`);
    });
    if (!verification.verified) throw new ValidationError('passkey not accepted');
    const { credential } = verification.registrationInfo;
    await this.passkeys.create({
      credentialId: credential.id,
      tnId: ceremony.tnId,
      publicKey: isoBase64URL.fromBuffer(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports,
      description,
    });
    return { credentialId: credential.id, description };
  }

  async list(tenant: TenantContext): Promise<CredentialView[]> {
    const rows = await this.passkeys.list(tenant.tnId);
    return rows.map((r) => ({ credentialId: r.credentialId, description: r.description }));
  }

  async delete(tenant: TenantContext, credentialId: string): Promise<void> {
    if (!(await this.passkeys.delete(tenant.tnId, credentialId)))
      throw new NotFoundError('no such passkey');
  }

  async loginOptions(tenant: TenantContext): Promise<{ options: unknown; token: string }> {
    const rows = await this.passkeys.list(tenant.tnId);
    const options = await generateAuthenticationOptions({
      rpID: tenant.idTag,
      allowCredentials: rows.map((c) => ({ id: c.credentialId, ...transportsOf(c.transports) })),
      userVerification: 'preferred',
    });
    const token = await this.challenges.put<Ceremony>('login', {
      tnId: tenant.tnId,
      idTag: tenant.idTag,
      challenge: options.challenge,
    });
    return { options, token };
  }

  async authenticate(
    tenant: TenantContext,
    token: string,
    response: AuthenticationResponseJSON,
  ): Promise<LoginResult> {
    const { idTag } = tenant;
    const ceremony = await this.challenges.take<Ceremony>('login', token);
    if (!ceremony || ceremony.idTag !== idTag)
      throw new UnauthorizedError('the login ceremony expired or is not for this tenant');
    const stored = await this.passkeys.find(ceremony.tnId, response.id);
    if (!stored) throw new UnauthorizedError('unknown passkey');
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: `https://${idTag}`,
      expectedRPID: idTag,
      credential: {
        id: stored.credentialId,
        publicKey: isoBase64URL.toBuffer(stored.publicKey),
        counter: Number(stored.counter),
        ...transportsOf(stored.transports),
      },
      requireUserVerification: false,
    }).catch(() => ({ verified: false as const, authenticationInfo: undefined }));
    if (!verification.verified) throw new UnauthorizedError('passkey signature refused');
    await this.passkeys.recordUse(
      stored.credentialId,
      verification.authenticationInfo.newCounter,
      this.clock(),
    );
    return this.login.sessionFor(tenant);
  }
}

function transportsOf(value: string | null): { transports?: AuthenticatorTransport[] } {
  return value ? { transports: value.split(',') as AuthenticatorTransport[] } : {};
}
