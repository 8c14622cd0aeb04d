import { Inject, Injectable } from '@nestjs/common';
import { type AuthDb, type WebAuthnCredential } from '@cloudillo/db-auth';

import { AUTH_DB } from '../tokens';

export interface NewPasskey {
  credentialId: string;
  tnId: number;
  /** COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: readonly string[] | undefined;
  description: string;
}

/** A tenant's passkeys (WebAuthn credentials); every query carries its tn_id. */
@Injectable()
export class PasskeysRepository {
  constructor(@Inject(AUTH_DB) private readonly db: AuthDb) {}

  /** Oldest first, as they were enrolled. */
  list(tnId: number): Promise<WebAuthnCredential[]> {
    return this.db.webAuthnCredential.findMany({ where: { tnId }, orderBy: { createdAt: 'asc' } });
  }

  find(tnId: number, credentialId: string): Promise<WebAuthnCredential | null> {
    return this.db.webAuthnCredential.findFirst({ where: { tnId, credentialId } });
  }

  async create(passkey: NewPasskey): Promise<void> {
    const { counter, transports, ...rest } = passkey;
    await this.db.webAuthnCredential.create({
      data: { ...rest, counter: BigInt(counter), transports: transports?.join(',') ?? null },
    });
  }

  /** Records a login with the passkey: its signature counter and when. */
  async recordUse(credentialId: string, counter: number, at: Date): Promise<void> {
    await this.db.webAuthnCredential.update({
      where: { credentialId },
      data: { counter: BigInt(counter), lastUsedAt: at },
    });
  }

  /** Returns whether the tenant had that passkey. */
  async delete(tnId: number, credentialId: string): Promise<boolean> {
    const { count } = await this.db.webAuthnCredential.deleteMany({
      where: { tnId, credentialId },
    });
    return count > 0;
  }
}
