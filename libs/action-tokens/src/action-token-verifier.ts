import { type KeyObject } from 'node:crypto';

import { type ContractClient, resolveKey } from '@cloudillo/contracts';
import { LRUCache } from 'lru-cache';
import { decodeUnverifiedClaims, importPublicKey, JwtError, verifyJwt } from '@cloudillo/crypto';
import {
  type ActionTokenClaims,
  receivedActionTokenClaimsSchema,
  AppError,
  isAppError,
  UnauthorizedError,
} from '@cloudillo/protocol';

export interface ActionVerifyOptions {
  /** Current time in Unix seconds (injected clock). */
  now?: number;
  /** Refuse tokens without `exp`. */
  requireExp?: boolean;
  /** Leeway on `exp` for clocks that disagree (default 60 s, as the reference). */
  clockSkewSeconds?: number;
}

/** An issuer's key, and when it was retired (Unix seconds): it verifies tokens issued before. */
interface IssuerKey {
  key: KeyObject;
  retiredAt?: number;
}

/**
 * Verifies action tokens (protocol §1.4, §2.1): claims shaped as the protocol says, ES384 pinned,
 * signed by the key the issuer publishes (resolved by identity, which caches it), `exp` checked.
 * When the signature fails against a cached key, the key is fetched once more before giving up.
 * A retired key (published with `expiresAt`) verifies only tokens issued before it was retired.
 * Access tokens are refused by their header (EdDSA), as this refuses anything but ES384.
 */
export class ActionTokenVerifier {
  /**
   * Imported issuer keys by `iss` and `k`: the hot path of an inbox asks for the same few. None
   * are kept when `keyCacheMs` is not positive (every verification asks identity).
   */
  private readonly keys: LRUCache<string, IssuerKey> | undefined;

  constructor(
    private readonly rpc: ContractClient,
    options: { keyCacheMs?: number; keyCacheSize?: number } = {},
  ) {
    const ttl = options.keyCacheMs ?? 60_000;
    this.keys =
      ttl > 0
        ? new LRUCache({ max: options.keyCacheSize ?? 10_000, ttl, ttlResolution: 0 })
        : undefined;
  }

  async verify(token: string, options: ActionVerifyOptions = {}): Promise<ActionTokenClaims> {
    let unverified: unknown;
    try {
      unverified = decodeUnverifiedClaims(token);
    } catch {
      throw new UnauthorizedError('not a token');
    }
    const parsed = receivedActionTokenClaimsSchema.safeParse(unverified);
    if (!parsed.success) throw new UnauthorizedError('action token claims are malformed');
    const claims = parsed.data;
    for (const refresh of [false, true]) {
      const { key: publicKey, retiredAt } = await this.keyOf(claims, refresh);
      try {
        await verifyJwt(token, publicKey, {
          ...(options.now === undefined ? {} : { now: options.now }),
          requireExp: options.requireExp ?? false,
          ...(options.clockSkewSeconds === undefined
            ? {}
            : { clockSkewSeconds: options.clockSkewSeconds }),
        });
        // A retired key still verifies what it signed while it was current, nothing after.
        const leeway = options.clockSkewSeconds ?? 60;
        if (retiredAt !== undefined && claims.iat > retiredAt + leeway) {
          if (!refresh) continue; // perhaps an old copy of the key: ask once more
          throw new UnauthorizedError(`action token issued after its key ${claims.k} was retired`);
        }
        return claims;
      } catch (error) {
        if (!(error instanceof JwtError)) throw error;
        if (error.code !== 'jwt.signature' || refresh) {
          throw new UnauthorizedError(
            error.code === 'jwt.expired'
              ? 'action token expired'
              : `action token refused: ${error.code}`,
          );
        }
      }
    }
    throw new UnauthorizedError('action token signature does not verify');
  }

  /**
   * The issuer's key `k`, from a short-lived local cache unless `refresh` (a signature that failed
   * against it: the key may have been replaced, so identity fetches it again).
   */
  private async keyOf(claims: ActionTokenClaims, refresh: boolean): Promise<IssuerKey> {
    const id = `${claims.iss} ${claims.k}`;
    const cached = refresh ? undefined : this.keys?.get(id);
    if (cached) return cached;
    const { publicKey, expiresAt } = await this.fetchKey(claims, refresh);
    const retiredAt = expiresAt === undefined ? undefined : Date.parse(expiresAt) / 1000;
    const key: IssuerKey = {
      key: importPublicKey(publicKey),
      ...(retiredAt !== undefined && Number.isFinite(retiredAt) ? { retiredAt } : {}),
    };
    this.keys?.set(id, key);
    return key;
  }

  private async fetchKey(
    claims: ActionTokenClaims,
    refresh: boolean,
  ): Promise<{ publicKey: string; expiresAt?: string | undefined }> {
    try {
      return await this.rpc.request(resolveKey, { idTag: claims.iss, keyId: claims.k, refresh });
    } catch (error) {
      if (isAppError(error) && error.code === 'E-CORE-NOTFOUND') {
        throw new UnauthorizedError(`${claims.iss} publishes no key ${claims.k}`);
      }
      if (isAppError(error)) throw error;
      throw new AppError('E-SYS-UNAVAIL', 'issuer key not available', { cause: error });
    }
  }
}
