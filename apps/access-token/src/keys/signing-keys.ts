import { type KeyObject } from 'node:crypto';

import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { accessTokenKeysChanged, ContractClient } from '@cloudillo/contracts';
import {
  generateAccessTokenKeyPair,
  importAccessTokenPrivateKey,
  SecretBox,
  SecretBoxError,
} from '@cloudillo/crypto';
import { type SigningKey } from '@cloudillo/db-auth';

import { type AuthConfig } from '../config';
import { AUTH_CONFIG, CLOCK, type Clock } from '../tokens';
import { SigningKeysRepository } from './signing-keys.repository';

export interface PublishedAccessKey {
  kid: string;
  publicKey: string;
  retiresAt?: number;
}

const sealContext = (kid: string) => `auth.signing-key:${kid}`;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A replaced key verifies for one token lifetime more, plus this margin for clock skew. */
const RETIRE_MARGIN_MS = 5 * 60 * 1000;

/** `at-yymmdd`: replicas rotating the same day race for one row and all end up using it. */
function kidFor(now: Date): string {
  return `at-${now.toISOString().slice(2, 10).replaceAll('-', '')}`;
}

/**
 * The service's Ed25519 access-token keys: made on first start, private halves sealed with the
 * key-encryption key, the newest signs. Rotation (AUTH_SIGNING_KEY_ROTATION_DAYS) adds a key and
 * retires the old one after one token lifetime; every replica and every verifier hears of it
 * through `access-token.keys.changed.v1`. A KEK that does not open the stored key stops startup.
 */
@Injectable()
export class SigningKeys implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeys.name);
  private readonly box: SecretBox;
  private signing: { kid: string; key: KeyObject } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly keys: SigningKeysRepository,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly rpc: ContractClient,
  ) {
    this.box = new SecretBox(config.keyEncryptionKey);
  }

  async onModuleInit(): Promise<void> {
    if (!(await this.keys.newest())) await this.addKey();
    await this.loadSigningKey();
    // Another replica rotated: sign with the new key too.
    this.unsubscribe = this.rpc.subscribe(accessTokenKeysChanged, () => {
      this.loadSigningKey().catch((error: unknown) =>
        this.logger.error(`reloading the signing key failed: ${String(error)}`),
      );
    });
    if (this.config.signingKeyRotationMs > 0) {
      this.timer = setInterval(() => {
        this.rotateIfDue().catch((error: unknown) =>
          this.logger.error(`signing-key rotation failed: ${String(error)}`),
        );
      }, this.config.signingKeyCheckMs);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** The key new tokens are signed with. */
  current(): { kid: string; key: KeyObject } {
    if (!this.signing) throw new Error('signing keys not loaded');
    return this.signing;
  }

  /** Every key a valid token may still name, for verifiers. */
  async published(): Promise<PublishedAccessKey[]> {
    const rows = await this.keys.live(this.clock());
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

  /**
   * Replaces the signing key once it is older than the rotation period; the old one keeps
   * verifying for a token lifetime. Returns the new kid, or undefined when nothing was due.
   */
  async rotateIfDue(): Promise<string | undefined> {
    const now = this.clock();
    const newest = await this.keys.newest();
    const due =
      !newest || now.getTime() - newest.createdAt.getTime() >= this.config.signingKeyRotationMs;
    if (!due || kidFor(now) === newest?.kid) return undefined;
    const kid = await this.addKey();
    const retiresAt = new Date(
      now.getTime() + this.config.tokenTtlSeconds * 1000 + RETIRE_MARGIN_MS,
    );
    await this.keys.retireAllBut(kid, retiresAt);
    // Keys no verifier can need any more are destroyed.
    await this.keys.deleteRetiredBefore(new Date(now.getTime() - DAY_MS));
    await this.loadSigningKey();
    await this.rpc.publish(accessTokenKeysChanged, { keys: await this.published() });
    this.logger.log(`rotated the access-token signing key to ${kid}`);
    return kid;
  }

  private async addKey(): Promise<string> {
    const kid = kidFor(this.clock());
    const pair = await generateAccessTokenKeyPair();
    await this.keys.add({
      kid,
      publicKey: pair.publicKey,
      privateKey: this.box.seal(pair.privateKey, sealContext(kid)),
      createdAt: this.clock(),
    });
    return kid;
  }

  private async loadSigningKey(): Promise<void> {
    const newest = await this.keys.newest();
    if (!newest) throw new Error('no access-token signing key could be stored');
    if (this.signing?.kid === newest.kid) return;
    this.signing = { kid: newest.kid, key: this.open(newest) };
  }

  private open(row: SigningKey): KeyObject {
    try {
      return importAccessTokenPrivateKey(this.box.open(row.privateKey, sealContext(row.kid)));
    } catch (error) {
      if (error instanceof SecretBoxError) {
        throw new Error(
          `AUTH_KEY_ENCRYPTION_KEY does not open signing key ${row.kid}: wrong key-encryption key`,
        );
      }
      throw error;
    }
  }
}
