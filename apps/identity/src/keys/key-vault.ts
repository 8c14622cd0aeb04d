import { type KeyObject } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import {
  type EncodedKeyPair,
  SecretBox,
  SecretBoxError,
  generateKeyPair,
  importPrivateKey,
  signJwt,
} from '@cloudillo/crypto';
import { NotFoundError, UnavailableError } from '@cloudillo/protocol';

import { type IdentityConfig } from '../config';
import { CLOCK, type Clock, IDENTITY_CONFIG } from '../tokens';
import { KeysRepository, type StoredKey } from './keys.repository';

interface CachedKey {
  keyId: string;
  key: KeyObject;
}

/** Decrypted keys are kept this long, so other replicas' rotations are seen within a minute. */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 50_000;

/** AAD of a sealed private key: it opens only as the key it was made for. */
const sealContext = (idTag: string, keyId: string) => `identity.key:${idTag}:${keyId}`;

/**
 * The only holder of private keys: makes them, seals them with the key-encryption key (AES-256-GCM)
 * before they reach Postgres, and signs with them. Opened keys are cached, bounded.
 */
@Injectable()
export class KeyVault {
  private readonly box: SecretBox;
  private readonly cache: LRUCache<string, CachedKey>;

  constructor(
    private readonly keys: KeysRepository,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.box = new SecretBox(config.keyEncryptionKey);
    this.cache = new LRUCache({
      max: CACHE_MAX,
      ttl: CACHE_TTL_MS,
      ttlResolution: 0,
      perf: { now: () => this.clock().getTime() },
    });
  }

  /** A fresh key pair for `idTag` with its private half sealed. */
  async newKey(idTag: string, keyId: string): Promise<StoredKey> {
    const pair: EncodedKeyPair = await generateKeyPair();
    return {
      keyId,
      publicKey: pair.publicKey,
      sealedPrivateKey: this.box.seal(pair.privateKey, sealContext(idTag, keyId)),
      createdAt: this.clock(),
    };
  }

  /** Opens a stored key; throws SecretBoxError when the KEK is not the one it was sealed with. */
  open(idTag: string, key: StoredKey): KeyObject {
    return importPrivateKey(this.box.open(key.sealedPrivateKey, sealContext(idTag, key.keyId)));
  }

  /** Signs claims for a tenant with its newest key, setting `iss`, `k` and (if absent) `iat`. */
  async sign(
    idTag: string,
    claims: Record<string, unknown>,
  ): Promise<{ token: string; keyId: string }> {
    const { keyId, key } = await this.signingKey(idTag);
    const iat = Math.floor(this.clock().getTime() / 1000);
    const token = await signJwt({ iss: idTag, k: keyId, iat, ...claims }, key);
    return { token, keyId };
  }

  /** Startup check: the configured KEK opens the tenant's signing key, or the service must not start. */
  async assertOpens(idTag: string): Promise<void> {
    try {
      await this.signingKey(idTag);
    } catch (error) {
      if (error instanceof UnavailableError && error.cause instanceof SecretBoxError) {
        throw new Error(
          'IDENTITY_KEY_ENCRYPTION_KEY does not open the stored private keys (wrong key?)',
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Drops a tenant's opened key, after a rotation in this process. */
  forget(idTag: string): void {
    this.cache.delete(idTag);
  }

  private async signingKey(idTag: string): Promise<CachedKey> {
    const cached = this.cache.get(idTag);
    if (cached) return cached;
    const now = this.clock();
    const stored = await this.keys.signingKey(idTag, now, this.config.keyRotation.publishLeadMs);
    if (!stored) throw new NotFoundError(`no signing key for ${idTag}`);
    let key: KeyObject;
    try {
      key = this.open(idTag, stored);
    } catch (error) {
      // Sealed under another key-encryption key (or damaged): a fault of this deployment, said
      // plainly instead of an internal error; other tenants keep signing.
      if (error instanceof SecretBoxError) {
        throw new UnavailableError(
          `the signing key ${stored.keyId} of ${idTag} cannot be opened`,
          error,
        );
      }
      throw error;
    }
    const entry = { keyId: stored.keyId, key };
    this.cache.set(idTag, entry);
    return entry;
  }
}
