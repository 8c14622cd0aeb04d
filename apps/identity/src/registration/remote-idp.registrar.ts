import { Inject, Injectable } from '@nestjs/common';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { AppError, ConflictError, UnavailableError } from '@cloudillo/protocol';
import { z } from 'zod';

import { type IdentityConfig } from '../config';
import { KeyVault } from '../keys/key-vault';
import { CLOCK, type Clock, IDENTITY_CONFIG } from '../tokens';

const REGISTRATION_TTL_SECONDS = 30 * 24 * 60 * 60;

const idpReply = z.object({
  data: z.object({
    success: z.boolean(),
    message: z.string().max(1000),
    identityStatus: z.enum(['pending', 'active', 'suspended']).optional(),
    activationRef: z.string().max(128).optional(),
    apiKey: z.string().max(256).optional(),
  }),
});

export type IdpRegistrationReply = z.output<typeof idpReply>['data'];

/**
 * The registrar's side of protocol §1.5 step 3: this provider's base tenant signs an `IDP:REG`
 * (30 days) and posts it to the identity provider's `/api/inbox/sync`, which answers with the
 * identity's status, activation code and `idp_` key.
 */
@Injectable()
export class RemoteIdpRegistrar {
  constructor(
    private readonly vault: KeyVault,
    private readonly peers: PeerClient,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async register(
    idpDomain: string,
    content: { idTag: string; email?: string; ownerIdTag?: string; lang?: string | undefined },
  ): Promise<IdpRegistrationReply> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const address = this.config.registration.addresses.join(',') || 'auto';
    const { token } = await this.vault.sign(this.config.baseTenant.idTag, {
      t: 'IDP:REG',
      aud: idpDomain,
      exp: now + REGISTRATION_TTL_SECONDS,
      c: { ...content, issuer: 'registrar', address },
    });
    let reply: IdpRegistrationReply;
    try {
      reply = (await this.peers.postJson(idpDomain, '/api/inbox/sync', { token }, idpReply)).data;
    } catch (error) {
      if (error instanceof PeerError && error.status !== undefined && error.status < 500) {
        throw new AppError(
          'E-AUTH-NOPERM',
          `${idpDomain} refused the registration (${error.status})`,
        );
      }
      throw new UnavailableError(
        `${idpDomain} could not be reached to register (${error instanceof PeerError ? error.kind : 'error'})`,
        error,
      );
    }
    if (!reply.success) throw new ConflictError(reply.message);
    return reply;
  }
}
