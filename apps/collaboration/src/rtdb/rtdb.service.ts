import { randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { ContractClient, type RtdbChange, rtdbChanged } from '@cloudillo/contracts';
import { AppError } from '@cloudillo/protocol';

import { FileChanges } from '../files/file-changes';
import { computeValues } from './rtdb-computed';
import { type Operation } from './rtdb-frames';
import { childPath, collectionPath, documentPath, withRefs } from './rtdb-paths';
import {
  type Aggregate,
  aggregateDocs,
  type Doc,
  matches,
  type QueryFilter,
  type Sort,
  sortDocs,
} from './rtdb-query';
import { type DbKey, RtdbRepository, type RtdbTx, type StoredDoc } from './rtdb.repository';

/** How long a lock lives without being taken again (a crashed instance's locks expire). */
export const LOCK_TTL_MS = 60 * 60 * 1000;

/** A refusal with the RTDB error code (protocol §7: 400, 403, 404, 423, 500). */
export class RtdbError extends Error {
  override readonly name = 'RtdbError';
  constructor(
    readonly code: 400 | 403 | 404 | 423 | 500,
    message: string,
  ) {
    super(message);
  }
}

/** The code of any error a request met: our own, a validation error (400), else 500. */
export function rtdbCodeOf(error: unknown): 400 | 403 | 404 | 423 | 500 {
  if (error instanceof RtdbError) return error.code;
  if (error instanceof AppError && error.status === 400) return 400;
  return 500;
}

export interface QueryOptions {
  filter?: QueryFilter | null | undefined;
  sort?: Sort | null | undefined;
  limit?: number | null | undefined;
  offset?: number | null | undefined;
  aggregate?: Aggregate | null | undefined;
  select?: string[] | null | undefined;
}

/** A document as clients see it: its data with its `id` (the last path segment). */
export function withId(doc: StoredDoc): Doc {
  return { ...doc.data, id: documentPath(doc.path).id };
}

function newDocId(): string {
  return randomBytes(15).toString('base64url');
}

/**
 * The real-time database's operations (protocol §7) on one tenant's database: queries, atomic
 * transactions with references and computed values, locks. Committed changes are announced to
 * every replica (`collab.rtdb.changed.v1`), which tells its subscribers.
 */
@Injectable()
export class RtdbService {
  constructor(
    private readonly repo: RtdbRepository,
    private readonly rpc: ContractClient,
    private readonly fileChanges: FileChanges,
  ) {}

  async query(key: DbKey, path: string, options: QueryOptions = {}): Promise<Doc[]> {
    const coll = collectionPath(path);
    const stored = await this.repo.list(key, coll, options.filter?.equals);
    const docs = stored.map(withId).filter((doc) => matches(doc, options.filter ?? undefined));
    if (options.aggregate) return aggregateDocs(docs, options.aggregate);
    const sorted = sortDocs(docs, options.sort ?? undefined);
    const offset = options.offset ?? 0;
    const page = sorted.slice(offset, options.limit == null ? undefined : offset + options.limit);
    const select = options.select;
    if (!select) return page;
    return page.map((doc) =>
      Object.fromEntries(Object.entries(doc).filter(([k]) => k === 'id' || select.includes(k))),
    );
  }

  async get(key: DbKey, path: string): Promise<Doc | null> {
    const doc = documentPath(path);
    const data = await this.repo.get(key, doc.path);
    return data ? { ...data, id: doc.id } : null;
  }

  /**
   * Runs the operations in one transaction: all or nothing. A hard lock of another user on a
   * document written is 423 and nothing is written.
   */
  async transact(
    key: DbKey,
    operations: Operation[],
    user: string,
  ): Promise<{ ref: string | null; id: string | null }[]> {
    const changes: RtdbChange[] = [];
    const results = await this.repo.transaction(key, async (tx) => {
      const refs = new Map<string, string>();
      const out: { ref: string | null; id: string | null }[] = [];
      for (const op of operations) {
        const path = withRefs(op.path, refs);
        if (op.type === 'create') {
          const id = newDocId();
          const doc = childPath(collectionPath(path), id);
          const data = { ...(await computeValues(op.data ?? {}, undefined, reads(tx))), id };
          await tx.put(doc, data);
          changes.push({ action: 'create', path: doc.path, data });
          if (op.ref) refs.set(op.ref.slice(1), id);
          out.push({ ref: op.ref ?? null, id });
          continue;
        }
        const doc = documentPath(path);
        const holder = await tx.hardLockHolder(doc.path);
        if (holder !== undefined && holder !== user)
          throw new RtdbError(423, `${doc.path} is locked by ${holder}`);
        const current = await tx.get(doc.path);
        if (op.type === 'delete') {
          const old = await tx.delete(doc.path);
          if (old) changes.push({ action: 'delete', path: doc.path, old: { ...old, id: doc.id } });
        } else {
          const computed = await computeValues(op.data ?? {}, current, reads(tx));
          // update: a shallow merge; replace: the data as given (protocol §7).
          const data = op.type === 'update' ? { ...current, ...computed } : computed;
          await tx.put(doc, data);
          changes.push(
            current
              ? {
                  action: 'update',
                  path: doc.path,
                  data: { ...data, id: doc.id },
                  old: { ...current, id: doc.id },
                }
              : { action: 'create', path: doc.path, data: { ...data, id: doc.id } },
          );
        }
        out.push({ ref: op.ref ?? null, id: null });
      }
      return out;
    });
    if (changes.length > 0) {
      this.fileChanges.touched(key.tnId, key.dbId);
      await this.announce(key, changes);
    }
    return results;
  }

  async lock(
    key: DbKey,
    path: string,
    holder: { userId: string; connId: string; mode: 'soft' | 'hard' },
  ): Promise<{ userId: string; mode: string } | undefined> {
    documentPath(path);
    const other = await this.repo.lock(key, path, holder, LOCK_TTL_MS);
    if (!other)
      await this.announce(key, [
        {
          action: 'lock',
          path,
          data: { userId: holder.userId, mode: holder.mode, connId: holder.connId },
        },
      ]);
    return other;
  }

  async unlock(key: DbKey, path: string, holder: { userId: string; connId: string }) {
    if (await this.repo.unlock(key, path, holder.connId))
      await this.announce(key, [{ action: 'unlock', path, data: holder }]);
  }

  /** A closed connection's locks go, and its subscribers' peers hear it. */
  async unlockAll(key: DbKey, holder: { userId: string; connId: string }): Promise<void> {
    const paths = await this.repo.unlockAll(key, holder.connId);
    if (paths.length > 0)
      await this.announce(
        key,
        paths.map((path) => ({ action: 'unlock' as const, path, data: holder })),
      );
  }

  private async announce(key: DbKey, changes: RtdbChange[]): Promise<void> {
    for (let i = 0; i < changes.length; i += 1000)
      await this.rpc.publish(rtdbChanged, { ...key, changes: changes.slice(i, i + 1000) });
  }
}

/** What `$query` values read: the transaction's own view, writes included. */
function reads(tx: RtdbTx) {
  return {
    list: async (path: string) => (await tx.list(collectionPath(path))).map(withId),
    exists: async (path: string) => (await tx.get(documentPath(path).path)) !== undefined,
  };
}
