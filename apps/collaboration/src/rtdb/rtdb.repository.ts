import { Inject, Injectable } from '@nestjs/common';
import { type CollabDb, Prisma } from '@cloudillo/db-collab';

import { COLLAB_DB } from '../tokens';
import { type DocPath } from './rtdb-paths';
import { type Doc } from './rtdb-query';

/** One database of a tenant (an RTDB file). */
export interface DbKey {
  tnId: number;
  dbId: string;
}

export interface StoredDoc {
  path: string;
  data: Doc;
}

/** Reads and writes inside one transaction of a database. */
export interface RtdbTx {
  get(path: string): Promise<Doc | undefined>;
  list(coll: string): Promise<StoredDoc[]>;
  put(doc: DocPath, data: Doc): Promise<void>;
  /** The document as it was, if it existed. */
  delete(path: string): Promise<Doc | undefined>;
  /** The user holding a live hard lock on `path`, if any. */
  hardLockHolder(path: string): Promise<string | undefined>;
}

type Tx = Prisma.TransactionClient;

function asDoc(value: unknown): Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Doc) : {};
}

/**
 * Real-time databases in Postgres (protocol §7): one jsonb row per document. Transactions of one
 * database run one at a time (an advisory lock on it), so `$op` increments read what the previous
 * transaction wrote and concurrent writers add up exactly.
 */
@Injectable()
export class RtdbRepository {
  constructor(@Inject(COLLAB_DB) private readonly db: CollabDb) {}

  /** A collection's documents, by path; `equals` narrows through the jsonb index. */
  async list(key: DbKey, coll: string, equals?: Doc): Promise<StoredDoc[]> {
    return listIn(this.db, key, coll, equals);
  }

  async get(key: DbKey, path: string): Promise<Doc | undefined> {
    return getIn(this.db, key, path);
  }

  async transaction<T>(key: DbKey, work: (tx: RtdbTx) => Promise<T>): Promise<T> {
    return this.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${key.tnId}, hashtext(${key.dbId}))`;
        return work({
          get: (path) => getIn(tx, key, path),
          list: (coll) => listIn(tx, key, coll),
          put: async (doc, data) => {
            const json = JSON.stringify(data);
            await tx.$executeRaw`
              INSERT INTO rtdb_docs (tn_id, db_id, path, coll, data, updated_at)
              VALUES (${key.tnId}, ${key.dbId}, ${doc.path}, ${doc.coll}, ${json}::jsonb, now())
              ON CONFLICT (tn_id, db_id, path)
              DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`;
          },
          delete: async (path) => {
            const rows = await tx.$queryRaw<{ data: unknown }[]>`
              DELETE FROM rtdb_docs
              WHERE tn_id = ${key.tnId} AND db_id = ${key.dbId} AND path = ${path}
              RETURNING data`;
            return rows[0] ? asDoc(rows[0].data) : undefined;
          },
          hardLockHolder: async (path) => {
            const rows = await tx.$queryRaw<{ user_id: string }[]>`
              SELECT user_id FROM rtdb_locks
              WHERE tn_id = ${key.tnId} AND db_id = ${key.dbId} AND path = ${path}
                AND mode = 'hard' AND expires_at > now()`;
            return rows[0]?.user_id;
          },
        });
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
  }

  /**
   * Takes the lock on `path` for a connection (again, if it holds it already: mode and expiry
   * are renewed). Another connection's live lock is returned instead.
   */
  async lock(
    key: DbKey,
    path: string,
    holder: { userId: string; connId: string; mode: 'soft' | 'hard' },
    ttlMs: number,
  ): Promise<{ userId: string; mode: string } | undefined> {
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw`
        DELETE FROM rtdb_locks
        WHERE tn_id = ${key.tnId} AND db_id = ${key.dbId} AND path = ${path} AND expires_at <= now()`;
      const expires = new Date(Date.now() + ttlMs);
      const taken = await tx.$queryRaw<{ conn_id: string }[]>`
        INSERT INTO rtdb_locks (tn_id, db_id, path, user_id, conn_id, mode, expires_at)
        VALUES (${key.tnId}, ${key.dbId}, ${path}, ${holder.userId}, ${holder.connId},
                ${holder.mode}, ${expires})
        ON CONFLICT (tn_id, db_id, path) DO UPDATE
          SET mode = excluded.mode, expires_at = excluded.expires_at
          WHERE rtdb_locks.conn_id = excluded.conn_id
        RETURNING conn_id`;
      if (taken.length > 0) return undefined;
      const rows = await tx.$queryRaw<{ user_id: string; mode: string }[]>`
        SELECT user_id, mode FROM rtdb_locks
        WHERE tn_id = ${key.tnId} AND db_id = ${key.dbId} AND path = ${path}`;
      const row = rows[0];
      return row ? { userId: row.user_id, mode: row.mode } : undefined;
    });
  }

  /** Releases a connection's lock on `path`; whether it held one. */
  async unlock(key: DbKey, path: string, connId: string): Promise<boolean> {
    const count = await this.db.$executeRaw`
      DELETE FROM rtdb_locks
      WHERE tn_id = ${key.tnId} AND db_id = ${key.dbId} AND path = ${path} AND conn_id = ${connId}`;
    return count > 0;
  }

  /** Every lock a closed connection held; the paths released. */
  async unlockAll(key: DbKey, connId: string): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ path: string }[]>`
      DELETE FROM rtdb_locks WHERE tn_id = ${key.tnId} AND db_id = ${key.dbId} AND conn_id = ${connId}
      RETURNING path`;
    return rows.map((r) => r.path);
  }

  /** A new database with another's documents (duplicate); documents already there are kept. */
  async copy(from: DbKey, toDbId: string): Promise<number> {
    return this.db.$executeRaw`
      INSERT INTO rtdb_docs (tn_id, db_id, path, coll, data, updated_at)
      SELECT tn_id, ${toDbId}, path, coll, data, now() FROM rtdb_docs
      WHERE tn_id = ${from.tnId} AND db_id = ${from.dbId}
      ON CONFLICT DO NOTHING`;
  }

  /** Everything of a tenant (its purge). */
  async forgetTenant(tnId: number): Promise<void> {
    await this.db.$transaction([
      this.db.rtdbDoc.deleteMany({ where: { tnId } }),
      this.db.rtdbLock.deleteMany({ where: { tnId } }),
    ]);
  }

  /** Every document of a database (export, duplicate). */
  async all(key: DbKey): Promise<StoredDoc[]> {
    const rows = await this.db.rtdbDoc.findMany({
      where: { tnId: key.tnId, dbId: key.dbId },
      orderBy: { path: 'asc' },
      select: { path: true, data: true },
    });
    return rows.map((r) => ({ path: r.path, data: asDoc(r.data) }));
  }
}

async function getIn(db: Tx | CollabDb, key: DbKey, path: string): Promise<Doc | undefined> {
  const rows = await db.$queryRaw<{ data: unknown }[]>`
    SELECT data FROM rtdb_docs WHERE tn_id = ${key.tnId} AND db_id = ${key.dbId} AND path = ${path}`;
  return rows[0] ? asDoc(rows[0].data) : undefined;
}

async function listIn(
  db: Tx | CollabDb,
  key: DbKey,
  coll: string,
  equals?: Doc,
): Promise<StoredDoc[]> {
  const contains =
    equals && Object.keys(equals).length > 0
      ? Prisma.sql`AND data @> ${JSON.stringify(equals)}::jsonb`
      : Prisma.empty;
  const rows = await db.$queryRaw<{ path: string; data: unknown }[]>`
    SELECT path, data FROM rtdb_docs
    WHERE tn_id = ${key.tnId} AND db_id = ${key.dbId} AND coll = ${coll} ${contains}
    ORDER BY path`;
  return rows.map((r) => ({ path: r.path, data: asDoc(r.data) }));
}
