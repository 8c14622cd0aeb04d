import { Inject, Injectable, Logger } from '@nestjs/common';
import { ContractClient, signWithTenantKey } from '@cloudillo/contracts';
import { decodeUnverifiedClaims } from '@cloudillo/crypto';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { AppError, parseRoles, UnavailableError } from '@cloudillo/protocol';
import { z } from 'zod';

import { CLOCK, type Clock } from '../tokens';
import { PROXY_TOKEN_TTL_SECONDS } from './proxy-exchange.service';

interface Cached {
  token: string;
  roles: string[];
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
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly rpc: ContractClient,
    private readonly peers: PeerClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async tokenAt(tenant: string, peer: string): Promise<{ token: string; roles: string[] }> {
    const key = `${tenant} ${peer}`;
    const now = Math.floor(this.clock().getTime() / 1000);
    const cached = this.cache.get(key);
    if (cached && cached.exp - REUSE_MARGIN_SECONDS > now)
      return { token: cached.token, roles: cached.roles };
    this.cache.delete(key);
    let fresh: Cached;
    try {
      fresh = await this.exchange(tenant, peer, now);
    } catch (error) {
      if (!(error instanceof PeerError && (error.status === 401 || error.status === 403)))
        throw mapped(peer, error);
      fresh = await this.exchange(tenant, peer, now).catch((retryError: unknown) => {
        throw mapped(peer, retryError);
      });
    }
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, fresh);
    return { token: fresh.token, roles: fresh.roles };
  }

  /** Forgets the peer's token (it was refused where it was used). */
  forget(tenant: string, peer: string): void {
    this.cache.delete(`${tenant} ${peer}`);
  }

  private async exchange(tenant: string, peer: string, now: number): Promise<Cached> {
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
