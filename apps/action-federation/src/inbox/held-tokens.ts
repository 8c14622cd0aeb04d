import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

const CAPACITY = 200_000;

/**
 * Tokens this replica has seen stored (`<tnId>:<actionId>`), so a re-delivery — a peer retrying,
 * history sync, the same post from several relays — is answered without parsing or touching
 * Postgres (protocol §2.7: ids are hashes of the token, so the same id is the same token). Only
 * positive knowledge, bounded (least recently seen forgotten first); CONN is never kept, since a repeated
 * request has proof-of-work consequences the full path applies.
 */
@Injectable()
export class HeldTokens {
  private readonly held = new LRUCache<string, true>({ max: CAPACITY });

  has(tnId: number, actionId: string): boolean {
    return this.held.has(`${tnId}:${actionId}`);
  }

  /** A token that failed for a reason that may pass: its next delivery must be looked at. */
  forget(tnId: number, actionId: string): void {
    this.held.delete(`${tnId}:${actionId}`);
  }

  add(tnId: number, actionId: string): void {
    this.held.set(`${tnId}:${actionId}`, true);
  }
}
