import { Inject, Injectable } from '@nestjs/common';
import { type AuthDb } from '@cloudillo/db-auth';
import { NotFoundError, UnauthorizedError, ValidationError } from '@cloudillo/protocol';
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
import { TenantDirectory } from '../login/tenant-directory';
import { AUTH_DB, CLOCK, type Clock } from '../tokens';
import { ChallengeStore } from './challenge-store';

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
    @Inject(AUTH_DB) private readonly db: AuthDb,
    private readonly tenants: TenantDirectory,
    private readonly challenges: ChallengeStore,
    private readonly login: LoginService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async registrationOptions(idTag: string): Promise<{ options: unknown; token: string }> {
    const tenant = await this.tenant(idTag);
    const existing = await this.db.webAuthnCredential.findMany({ where: { tnId: tenant.tnId } });
    const options = await generateRegistrationOptions({
      rpName: 'Cloudillo',
      rpID: tenant.idTag,
      userName: tenant.idTag,
      userDisplayName: tenant.name,
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
    idTag: string,
    token: string,
    response: RegistrationResponseJSON,
    description: string,
  ): Promise<CredentialView> {
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
    await this.db.webAuthnCredential.create({
      data: {
        credentialId: credential.id,
        tnId: ceremony.tnId,
        publicKey: isoBase64URL.fromBuffer(credential.publicKey),
        counter: BigInt(credential.counter),
        transports: credential.transports?.join(',') ?? null,
        description,
      },
    });
    return { credentialId: credential.id, description };
  }

  async list(idTag: string): Promise<CredentialView[]> {
    const tenant = await this.tenant(idTag);
    const rows = await this.db.webAuthnCredential.findMany({
      where: { tnId: tenant.tnId },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => ({ credentialId: r.credentialId, description: r.description }));
  }

  async delete(idTag: string, credentialId: string): Promise<void> {
    const tenant = await this.tenant(idTag);
    const { count } = await this.db.webAuthnCredential.deleteMany({
      where: { tnId: tenant.tnId, credentialId },
    });
    if (count === 0) throw new NotFoundError('no such passkey');
  }

  async loginOptions(idTag: string): Promise<{ options: unknown; token: string }> {
    const tenant = await this.tenant(idTag);
    const rows = await this.db.webAuthnCredential.findMany({ where: { tnId: tenant.tnId } });
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
    idTag: string,
    token: string,
    response: AuthenticationResponseJSON,
  ): Promise<LoginResult> {
    const ceremony = await this.challenges.take<Ceremony>('login', token);
    if (!ceremony || ceremony.idTag !== idTag)
      throw new UnauthorizedError('the login ceremony expired or is not for this tenant');
    const stored = await this.db.webAuthnCredential.findFirst({
      where: { tnId: ceremony.tnId, credentialId: response.id },
    });
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
    await this.db.webAuthnCredential.update({
      where: { credentialId: stored.credentialId },
      data: {
        counter: BigInt(verification.authenticationInfo.newCounter),
        lastUsedAt: this.clock(),
      },
    });
    return this.login.sessionFor(idTag);
  }

  private async tenant(idTag: string) {
    const tenant = await this.tenants.find(idTag);
    if (!tenant) throw new NotFoundError(`unknown tenant ${idTag}`);
    return tenant;
  }
}

function transportsOf(value: string | null): { transports?: AuthenticatorTransport[] } {
  return value ? { transports: value.split(',') as AuthenticatorTransport[] } : {};
}
