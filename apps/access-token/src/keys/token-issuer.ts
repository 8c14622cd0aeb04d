import { Inject, Injectable } from '@nestjs/common';
import { randomToken, signAccessToken } from '@cloudillo/crypto';
import { type AccessTokenClaims } from '@cloudillo/protocol';

import { type AuthConfig } from '../config';
import { AUTH_CONFIG, CLOCK, type Clock } from '../tokens';
import { SigningKeys } from './signing-keys';

export interface TokenGrant {
  /** The tenant (A-label) the token is valid at. */
  tenant: string;
  /** The caller; absent for an anonymous share-link token. */
  subject?: string;
  roles: readonly string[];
  scope?: string;
  sid?: string;
  /** The container file a scoped token is granted through (`via=`). */
  via?: string;
  /** Unix seconds the token must not outlive (the grant's own end: an API key's expiry). */
  notAfter?: number;
}

export interface IssuedToken {
  token: string;
  exp: number;
}

/** A random id for tokens and sessions: 128 bits, base64url. */
export function randomId(): string {
  return randomToken(16);
}

/** Mints access tokens (protocol §4.1 plus iat, jti, sid) with the current signing key. */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async issue(grant: TokenGrant): Promise<IssuedToken> {
    const iat = Math.floor(this.clock().getTime() / 1000);
    const claims: AccessTokenClaims = {
      iss: grant.tenant,
      exp: Math.min(iat + this.config.tokenTtlSeconds, grant.notAfter ?? Infinity),
      iat,
      jti: randomId(),
    };
    if (grant.subject !== undefined) claims.sub = grant.subject;
    if (grant.roles.length > 0) claims.r = grant.roles.join(',');
    if (grant.scope !== undefined) claims.scope = grant.scope;
    if (grant.sid !== undefined) claims.sid = grant.sid;
    if (grant.via !== undefined) claims.via = grant.via;
    const { kid, key } = this.keys.current();
    return { token: await signAccessToken(claims, key, kid), exp: claims.exp };
  }
}
