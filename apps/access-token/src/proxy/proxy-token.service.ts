import { Inject, Injectable, Logger } from '@nestjs/common';
import { ContractClient, signWithTenantKey } from '@cloudillo/contracts';
import { decodeUnverifiedClaims } from '@cloudillo/crypto';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { AppError, parseRoles, UnavailableError } from '@cloudillo/protocol';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

import { CLOCK, type Clock } from '../tokens';
import { PROXY_TOKEN_TTL_SECONDS } from './proxy-exchange.service';

interface PeerToken {
  token: string;
  roles: string[];
}

interface Exchanged extends PeerToken {
  /** Unix seconds */
  exp: number;
}

const exchangeReply = z.object({ data: z.object({ token: z.string().min(1).max(4096) }) });
/** A token is reused until this long before it expires (protocol §4.4). */
const REUSE_MARGIN_SECONDS = 60;
const CACHE_MAX = 10_000;

/**
 * The cross-node flow, node A's side (protocol §4.4): sign a 60 s PROXY action token through
 * identity, exchange it at the peer's `/api/auth/access-token`, and keep the result per (tenant,
 * peer) until shortly before it expires. A 401/403 is retried once with a fresh PROXY token.
 */
@Injectable()
export class ProxyTokenService {
  private readonly logger = new Logger(ProxyTokenService.name);
  /** Per (tenant, peer), each until shortly before its token expires. */
  private readonly cache: LRUCache<string, PeerToken>;

  constructor(
    private readonly rpc: ContractClient,
    private readonly peers: PeerClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cache = new LRUCache<string, PeerToken>({
      max: CACHE_MAX,
      // Expiry follows the injected clock, checked on each read.
      perf: { now: () => this.clock().getTime() },
      ttlResolution: 0,
    });
  }

  async tokenAt(tenant: string, peer: string): Promise<PeerToken> {
    const key = `${tenant} ${peer}`;
    const cached = this.cache.get(key);
    if (cached) return { token: cached.token, roles: cached.roles };
    const now = Math.floor(this.clock().getTime() / 1000);
    let fresh: Exchanged;
    try {
      fresh = await this.exchange(tenant, peer, now);
    } catch (error) {
      if (!(error instanceof PeerError && (error.status === 401 || error.status === 403)))
        throw mapped(peer, error);
      fresh = await this.exchange(tenant, peer, now).catch((retryError: unknown) => {
        throw mapped(peer, retryError);
      });
    }
    const { token, roles, exp } = fresh;
    const reusableMs = (exp - REUSE_MARGIN_SECONDS) * 1000 - this.clock().getTime();
    if (reusableMs > 0) this.cache.set(key, { token, roles }, { ttl: reusableMs });
    return { token, roles };
  }

  private async exchange(tenant: string, peer: string, now: number): Promise<Exchanged> {
    const { token: proxy } = await this.rpc.request(signWithTenantKey, {
      idTag: tenant,
      claims: { t: 'PROXY', aud: peer, iat: now, exp: now + PROXY_TOKEN_TTL_SECONDS },
    });
    const { data } = await this.peers.getJson(
      peer,
      `/api/auth/access-token?token=${encodeURIComponent(proxy)}`,
      exchangeReply,
    );
    // The peer's token is the peer's to verify; here only its lifetime and roles are read.
    const claims = decodeUnverifiedClaims(data.token);
    const exp = typeof claims['exp'] === 'number' ? claims['exp'] : now;
    const roles = parseRoles(typeof claims['r'] === 'string' ? claims['r'] : undefined);
    this.logger.debug(`exchanged a PROXY token of ${tenant} at ${peer}`);
    return { token: data.token, roles, exp };
  }
}

function mapped(peer: string, error: unknown): unknown {
  if (!(error instanceof PeerError)) return error;
  if (error.status === 401 || error.status === 403) {
    return new AppError('E-AUTH-NOPERM', `${peer} refused the exchange`, { status: 403 });
  }
  return new UnavailableError(`${peer} could not be reached for a token (${error.kind})`, error);
}
