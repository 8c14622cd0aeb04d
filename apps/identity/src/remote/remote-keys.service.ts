import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { NotFoundError, UnavailableError } from '@cloudillo/protocol';

import { TenantsRepository } from '../tenants/tenants.repository';
import { CLOCK, type Clock } from '../tokens';
import { type CachedKey, RemoteKeysRepository } from './remote-keys.repository';
import { remoteProfileSchema } from './remote-profile.schema';

const MINUTE = 60_000;
/** Negative cache (protocol §1.4): network trouble may clear soon; a broken profile will not. */
const FAILURE_TTL_MS = { transient: 5 * MINUTE, permanent: 60 * MINUTE };
/** At most one refetch per peer per minute, however many bad signatures or unknown key ids arrive. */
const REFETCH_INTERVAL_MS = MINUTE;
/** Past this many remembered fetches, those older than the interval are dropped. */
const MEMO_PRUNE_AT = 1_000;

type FetchedKey = CachedKey & { keyId: string };

export interface ResolvedKey {
  publicKey: string;
  expiresAt?: string;
}

function isTransient(error: PeerError): boolean {
  return (
    error.kind === 'network' ||
    error.kind === 'timeout' ||
    (error.kind === 'status' && (error.status ?? 0) >= 500)
  );
}

@Injectable()
export class RemoteKeysService {
  private readonly logger = new Logger(RemoteKeysService.name);

  constructor(
    private readonly remote: RemoteKeysRepository,
    private readonly tenants: TenantsRepository,
    private readonly peers: PeerClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * This process's latest fetch per peer, in flight or done within the refetch interval: a burst of
   * requests for a new peer's key shares one fetch, even those that read the store just before it.
   */
  private readonly fetches = new Map<string, { at: number; keys: Promise<FetchedKey[]> }>();

  /**
   * The public key `keyId` of `idTag`, from our own tenants, the cache, or the peer's /api/me —
   * a retired one too, with its `expiresAt`: the verifier takes it for tokens issued before then.
   */
  async resolve(idTag: string, keyId: string, refresh = false): Promise<ResolvedKey> {
    const now = this.clock();
    const local = await this.tenants.findWithKeys({ idTag });
    if (local) {
      const key = local.keys.find((k) => k.keyId === keyId);
      if (!key || local.tenant.status === 'X')
        throw new NotFoundError(`${idTag} publishes no key ${keyId}`);
      return present(key);
    }
    const cached = await this.remote.key(idTag, keyId);
    if (cached && !refresh) return present(cached);
    const fetchedAt = await this.remote.fetchedAt(idTag);
    if (fetchedAt && now.getTime() - fetchedAt.getTime() < REFETCH_INTERVAL_MS) {
      // Read the key again: the first read may predate a fetch stored since, and a "not published"
      // from that stale read would refuse a valid token for good. This read is as new as `fetchedAt`.
      const stored = await this.remote.key(idTag, keyId);
      if (stored) return present(stored);
      // Not in what the peer published a moment ago, but it may have published it since (a peer
      // that signs with a key as soon as it makes it): ask again later rather than refuse for good.
      const next = new Date(fetchedAt.getTime() + REFETCH_INTERVAL_MS);
      throw new UnavailableError(
        `${idTag} did not publish key ${keyId} at ${fetchedAt.toISOString()}; read again from ${next.toISOString()}`,
      );
    }
    const fresh = await this.fetchOnce(idTag, now);
    const key = fresh.find((k) => k.keyId === keyId);
    if (!key) throw new NotFoundError(`${idTag} publishes no key ${keyId}`);
    return present(key);
  }

  private fetchOnce(idTag: string, now: Date): Promise<FetchedKey[]> {
    const last = this.fetches.get(idTag);
    if (last && now.getTime() - last.at < REFETCH_INTERVAL_MS) return last.keys;
    if (this.fetches.size >= MEMO_PRUNE_AT) {
      for (const [peer, { at }] of this.fetches)
        if (now.getTime() - at >= REFETCH_INTERVAL_MS) this.fetches.delete(peer);
    }
    const keys = this.fetch(idTag, now);
    this.fetches.set(idTag, { at: now.getTime(), keys });
    return keys;
  }

  private async fetch(idTag: string, now: Date): Promise<FetchedKey[]> {
    const blockedUntil = await this.remote.failureUntil(idTag, now);
    if (blockedUntil)
      throw new UnavailableError(`${idTag} is unreachable until ${blockedUntil.toISOString()}`);
    let profile;
    try {
      profile = (await this.peers.getJson(idTag, '/api/me', remoteProfileSchema)).data;
      if (profile.idTag !== idTag)
        throw new PeerError('shape', `${idTag} answered as ${profile.idTag}`);
    } catch (error) {
      if (!(error instanceof PeerError)) throw error;
      const ttl = isTransient(error) ? FAILURE_TTL_MS.transient : FAILURE_TTL_MS.permanent;
      await this.remote.recordFailure(idTag, error.kind, new Date(now.getTime() + ttl));
      this.logger.warn(`cannot read ${idTag}: ${error.message}`);
      throw new UnavailableError(`cannot read the profile of ${idTag} (${error.kind})`);
    }
    await this.remote.store(profile, now);
    return profile.keys.map((k) => ({
      keyId: k.keyId,
      publicKey: k.publicKey,
      expiresAt: k.expiresAt ? new Date(k.expiresAt) : null,
    }));
  }
}

function present(key: { publicKey: string; expiresAt?: Date | null }): ResolvedKey {
  return key.expiresAt
    ? { publicKey: key.publicKey, expiresAt: key.expiresAt.toISOString() }
    : { publicKey: key.publicKey };
}
