import { createHash } from 'node:crypto';

import { LRUCache } from 'lru-cache';

/** An answer the gateway may give again: its status and the `data` of its envelope. */
export interface ReplayedAnswer {
  status: number;
  data: unknown;
}

/** Longer than a service asks for is not trusted: an entry outlives nothing it knows about. */
const MAX_SECONDS = 3_600;

/** A request body is read whole to recognise a repeat only up to this size. */
export const REPLAY_BODY_LIMIT = 64 * 1024;

/**
 * Answers services marked replayable (`REPLAY_HEADER`, `libs/http/src/replays.ts`), by a hash of
 * the request: the tenant (by its number, so a purged id_tag registered again starts empty),
 * method, path with query, and body. Bounded: the least recently used go first.
 */
export class ReplayCache {
  private readonly answers: LRUCache<string, ReplayedAnswer>;

  constructor(maxEntries: number) {
    this.answers = new LRUCache({ max: maxEntries });
  }

  static keyOf(tnId: number, method: string, url: string, body: Buffer): string {
    return createHash('sha256')
      .update(`${tnId} ${method} ${url}\n`)
      .update(body)
      .digest('base64url');
  }

  get(key: string): ReplayedAnswer | undefined {
    return this.answers.get(key);
  }

  /**
   * Keeps a 2xx answer whose body is an API envelope for `seconds` (at most an hour); anything
   * else is not kept.
   */
  remember(key: string, status: number, body: Buffer, seconds: number): void {
    if (status < 200 || status > 299 || !(seconds > 0)) return;
    let envelope: unknown;
    try {
      envelope = JSON.parse(body.toString('utf8'));
    } catch {
      return;
    }
    if (typeof envelope !== 'object' || envelope === null || !('data' in envelope)) return;
    this.answers.set(
      key,
      { status, data: envelope.data },
      { ttl: Math.min(seconds, MAX_SECONDS) * 1000 },
    );
  }
}
