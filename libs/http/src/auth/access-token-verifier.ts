import { type KeyObject } from 'node:crypto';

import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  accessTokenKeys,
  accessTokenKeysChanged,
  ContractClient,
  revokedSessions,
  sessionRevoked,
} from '@cloudillo/contracts';
import { importAccessTokenPublicKey, JwtError, verifyAccessToken } from '@cloudillo/crypto';
import {
  accessTokenClaimsSchema,
  parseRoles,
  UnauthorizedError,
  UnavailableError,
} from '@cloudillo/protocol';

import { type AuthContext } from './auth-context';

/** An unknown kid may mean the key was just rotated: ask again, but not more than this often. */
const KEY_REFRESH_MIN_INTERVAL_MS = 1_000;
const CLOCK_SKEW_SECONDS = 30;

type PublishedKey = { kid: string; publicKey: string; retiresAt?: number | undefined };

/**
 * Verifies access tokens locally with the access-token service's public keys, which it loads over
 * NATS once and then keeps current from events; revoked sessions arrive the same way. Only
 * access tokens (EdDSA, `at+jwt`) pass: action tokens are refused by their header.
 */
@Injectable()
export class AccessTokenVerifier implements OnModuleDestroy {
  private readonly logger = new Logger('AccessTokenVerifier');
  private keys = new Map<string, KeyObject>();
  private readonly revoked = new Map<string, number>();
  private loading: Promise<void> | undefined;
  private lastKeyRefresh = 0;
  private unsubscribes: (() => void)[] = [];

  constructor(private readonly rpc: ContractClient) {}

  /** The verified caller of `token` at `tenant` (A-label); 401 for anything not trusted. */
  async verify(
    token: string,
    tenant: string,
    now = Math.floor(Date.now() / 1000),
  ): Promise<AuthContext> {
    let claims: Record<string, unknown>;
    try {
      claims = await this.verifySignature(token, now);
    } catch (error) {
      if (error instanceof UnavailableError) throw error; // the keys could not be loaded: 503
      if (error instanceof JwtError && error.code === 'jwt.expired') {
        throw new UnauthorizedError('access token expired');
      }
      if (error instanceof JwtError && error.code === 'jwt.algorithm') {
        throw new UnauthorizedError('not an access token');
      }
      throw new UnauthorizedError('access token is not valid');
    }
    await this.ensureLoaded(); // revocations are known before any token is accepted
    const parsed = accessTokenClaimsSchema.safeParse(claims);
    if (!parsed.success) throw new UnauthorizedError('access token claims are malformed');
    const c = parsed.data;
    // Bound to its tenant (protocol §4.1): a token of tenant A is worthless at tenant B.
    if (c.iss !== tenant) throw new UnauthorizedError('access token was issued for another tenant');
    if (c.sid !== undefined && this.isRevoked(c.sid, now)) {
      throw new UnauthorizedError('session was revoked');
    }
    const auth: AuthContext = {
      tenant: c.iss,
      subject: c.sub ?? c.iss,
      anonymous: c.sub === undefined,
      owner: c.sub === c.iss,
      roles: new Set(parseRoles(c.r)),
      jti: c.jti,
      exp: c.exp,
    };
    if (c.scope !== undefined) auth.scope = c.scope;
    if (c.sid !== undefined) auth.sid = c.sid;
    if (c.via !== undefined) auth.via = c.via;
    return auth;
  }

  /**
   * Verifies with the known keys; an unknown kid may be a new key: ask once, then retry. Header
   * checks (algorithm, type) come first, so what is not an access token costs no lookup.
   */
  private async verifySignature(token: string, now: number): Promise<Record<string, unknown>> {
    const options = { now, clockSkewSeconds: CLOCK_SKEW_SECONDS };
    try {
      return (await verifyAccessToken(token, (k) => this.keys.get(k), options)).claims;
    } catch (error) {
      if (!(error instanceof JwtError && error.code === 'jwt.key')) throw error;
      // Keys load on the first token that gets this far: garbage never makes us ask.
      if (this.keys.size === 0) await this.ensureLoaded();
      else if (!(await this.refreshKeys())) throw error;
      return (await verifyAccessToken(token, (k) => this.keys.get(k), options)).claims;
    }
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
  }

  private isRevoked(sid: string, now: number): boolean {
    const until = this.revoked.get(sid);
    if (until === undefined) return false;
    if (until + CLOCK_SKEW_SECONDS < now) {
      this.revoked.delete(sid); // every token of it has expired anyway
      return false;
    }
    return true;
  }

  private ensureLoaded(): Promise<void> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined; // the access-token service may be starting: try again next time
      this.onModuleDestroy();
      throw new UnavailableError('access-token keys are not available', error);
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    // Subscribe first, so that nothing published while the lists travel is missed.
    this.unsubscribes.push(
      this.rpc.subscribe(accessTokenKeysChanged, ({ keys }) => this.setKeys(keys)),
      this.rpc.subscribe(sessionRevoked, ({ sid, until }) => this.revoked.set(sid, until)),
    );
    const [{ keys }, { sessions }] = await Promise.all([
      this.rpc.request(accessTokenKeys, {}),
      this.rpc.request(revokedSessions, {}),
    ]);
    this.setKeys(keys);
    for (const { sid, until } of sessions) this.revoked.set(sid, until);
    this.lastKeyRefresh = Date.now();
  }

  /** True when the keys were asked for again (at most once a second). */
  private async refreshKeys(): Promise<boolean> {
    if (Date.now() - this.lastKeyRefresh < KEY_REFRESH_MIN_INTERVAL_MS) return false;
    this.lastKeyRefresh = Date.now();
    try {
      this.setKeys((await this.rpc.request(accessTokenKeys, {})).keys);
      return true;
    } catch (error) {
      this.logger.warn(`could not refresh access-token keys: ${String(error)}`);
      return false;
    }
  }

  private setKeys(keys: PublishedKey[]): void {
    const next = new Map<string, KeyObject>();
    for (const { kid, publicKey } of keys) {
      try {
        next.set(kid, importAccessTokenPublicKey(publicKey));
      } catch {
        this.logger.warn(`ignoring access-token key ${kid}: not an Ed25519 key`);
      }
    }
    this.keys = next;
  }
}
