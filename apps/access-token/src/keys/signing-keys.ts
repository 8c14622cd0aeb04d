import { type KeyObject } from 'node:crypto';

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  generateAccessTokenKeyPair,
  importAccessTokenPrivateKey,
  SecretBox,
  SecretBoxError,
} from '@cloudillo/crypto';
import { type AuthDb } from '@cloudillo/db-auth';

import { type AuthConfig } from '../config';
import { AUTH_CONFIG, AUTH_DB, CLOCK, type Clock } from '../tokens';

export interface PublishedAccessKey {
  kid: string;
  publicKey: string;
  retiresAt?: number;
}

const sealContext = (kid: string) => `auth.signing-key:${kid}`;

/** `at-yymmdd`: replicas starting the same day race for one row and all end up using it. */
function kidFor(now: Date): string {
  return `at-${now.toISOString().slice(2, 10).replaceAll('-', '')}`;
}

/**
 * The service's Ed25519 access-token keys: made on first start, private halves sealed with the
 * key-encryption key, the newest signs. A KEK that does not open the stored key stops startup.
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private readonly box: SecretBox;
  private signing: { kid: string; key: KeyObject } | undefined;

  constructor(
    @Inject(AUTH_DB) private readonly db: AuthDb,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.box = new SecretBox(config.keyEncryptionKey);
  }

  async onModuleInit(): Promise<void> {
    let newest = await this.newest();
    if (!newest) {
      const kid = kidFor(this.clock());
      const pair = await generateAccessTokenKeyPair();
      await this.db.signingKey.createMany({
        data: [
          {
            kid,
            publicKey: pair.publicKey,
            privateKey: this.box.seal(pair.privateKey, sealContext(kid)),
          },
        ],
        skipDuplicates: true,
      });
      newest = await this.newest();
    }
    if (!newest) throw new Error('no access-token signing key could be stored');
    let pkcs8: string;
    try {
      pkcs8 = this.box.open(newest.privateKey, sealContext(newest.kid));
    } catch (error) {
      if (error instanceof SecretBoxError) {
        throw new Error(
          `AUTH_KEY_ENCRYPTION_KEY does not open signing key ${newest.kid}: wrong key-encryption key`,
        );
      }
      throw error;
    }
    this.signing = { kid: newest.kid, key: importAccessTokenPrivateKey(pkcs8) };
  }

  /** The key new tokens are signed with. */
  current(): { kid: string; key: KeyObject } {
    if (!this.signing) throw new Error('signing keys not loaded');
    return this.signing;
  }

  /** Every key a valid token may still name, for verifiers. */
  async published(): Promise<PublishedAccessKey[]> {
    const now = this.clock();
    const rows = await this.db.signingKey.findMany({
      where: { OR: [{ retiresAt: null }, { retiresAt: { gt: now } }] },
      orderBy: { kid: 'desc' },
    });
    return rows.map((row) =>
      row.retiresAt
        ? {
            kid: row.kid,
            publicKey: row.publicKey,
            retiresAt: Math.floor(row.retiresAt.getTime() / 1000),
          }
        : { kid: row.kid, publicKey: row.publicKey },
    );
  }

  private newest() {
    return this.db.signingKey.findFirst({ where: { retiresAt: null }, orderBy: { kid: 'desc' } });
  }
}
