import { createHash } from 'node:crypto';
import { type OutgoingHttpHeaders } from 'node:http';

import { LRUCache } from 'lru-cache';

/** An answer the gateway may give again: status, headers and the `data` of its envelope. */
export interface ReplayedAnswer {
  status: number;
  /** The service's end-to-end headers (an ETag, Cache-Control), without length or request id. */
  headers: OutgoingHttpHeaders;
  /** `data` as JSON text: a replay is written without serialising it again. */
  dataJson: string;
}

interface Entry extends ReplayedAnswer {
  tnId: number;
  /** When the request that fetched it began (see `ReplayCache.forget`). */
  epoch: number;
}

/** Longer than a service asks for is not trusted: an entry outlives nothing it knows about. */
const MAX_SECONDS = 3_600;

/** A request body is read whole to recognise a repeat only up to this size. */
export const REPLAY_BODY_LIMIT = 64 * 1024;

/** Headers that belong to one answer, not to its replays. */
const NOT_REPLAYED = new Set(['content-length', 'x-request-id', 'date']);

/**
 * Answers services marked replayable (`REPLAY_HEADER`, `libs/http/src/replays.ts`), by a hash of
 * the request: the tenant (by its number, so a purged id_tag registered again starts empty),
 * method, path with query, and body. Bounded: the least recently used go first. A tenant's
 * entries are dropped when it changes (`forget`), including answers still on their way then.
 */
export class ReplayCache {
  private readonly answers: LRUCache<string, Entry>;
  /** The epoch at which each recently changed tenant was forgotten. */
  private readonly forgotten: LRUCache<number, number>;
  private epoch = 0;

  constructor(maxEntries: number) {
    this.answers = new LRUCache({ max: maxEntries });
    this.forgotten = new LRUCache({ max: Math.max(1_000, 2 * maxEntries) });
  }

  static keyOf(tnId: number, method: string, url: string, body: Buffer): string {
    // Without a body (a GET) the request line is short enough to be its own key.
    if (body.length === 0) return `${tnId} ${method} ${url}`;
    return createHash('sha256')
      .update(`${tnId} ${method} ${url}\n`)
      .update(body)
      .digest('base64url');
  }

  /** Taken before a request is forwarded, and handed back to `remember` with its answer. */
  begin(): number {
    return this.epoch;
  }

  get(key: string): ReplayedAnswer | undefined {
    const entry = this.answers.get(key);
    if (!entry) return undefined;
    // Fetched before its tenant last changed: not the tenant's answer any more.
    if (entry.epoch < (this.forgotten.get(entry.tnId) ?? 0)) {
      this.answers.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops every answer of `tnId`, also those of requests in flight now. */
  forget(tnId: number): void {
    this.forgotten.set(tnId, ++this.epoch);
  }

  /**
   * Keeps a 2xx answer whose body is an API envelope for `seconds` (at most an hour); anything
   * else is not kept.
   */
  remember(
    key: string,
    request: { tnId: number; epoch: number },
    answer: { status: number; headers: OutgoingHttpHeaders; body: Buffer; seconds: number },
  ): void {
    const { status, body, seconds } = answer;
    if (status < 200 || status > 299 || !(seconds > 0)) return;
    let envelope: unknown;
    try {
      envelope = JSON.parse(body.toString('utf8'));
    } catch {
      return;
    }
    if (typeof envelope !== 'object' || envelope === null || !('data' in envelope)) return;
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer.headers))
      if (!NOT_REPLAYED.has(name)) headers[name] = value;
    this.answers.set(
      key,
      { status, headers, dataJson: JSON.stringify(envelope.data), ...request },
      { ttl: Math.min(seconds, MAX_SECONDS) * 1000 },
    );
  }
}
