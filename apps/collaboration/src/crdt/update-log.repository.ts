import { Inject, Injectable } from '@nestjs/common';
import { type CollabDb, Prisma } from '@cloudillo/db-collab';
import * as Y from 'yjs';

import { COLLAB_DB } from '../tokens';

/** A document's identity in storage: its tenant and file id. */
export interface DocKey {
  tnId: number;
  docId: string;
}

/** Rows per INSERT when many appends arrive at once. */
const MAX_BATCH = 500;

interface PendingAppend {
  key: DocKey;
  update: Uint8Array;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * A document's durable form (protocol §6): a snapshot plus the updates appended after it. Updates
 * are appended before they are broadcast; compaction folds them into the snapshot in one
 * transaction, so a reader sees either the old pair or the new one.
 */
@Injectable()
export class UpdateLogRepository {
  private readonly pending: PendingAppend[] = [];

  constructor(@Inject(COLLAB_DB) private readonly db: CollabDb) {}

  /**
   * Appends an update; resolves once it is committed. Appends arriving in the same event-loop
   * turn (a hundred writers at once) share one multi-row INSERT: each still waits for its own
   * commit, but the database sees one statement instead of a hundred.
   */
  append(key: DocKey, update: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, update, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    for (let i = 0; i < batch.length; i += MAX_BATCH) {
      const part = batch.slice(i, i + MAX_BATCH);
      // Raw SQL: Prisma's query compiler would compile each batch size anew.
      const rows = part.map(
        ({ key, update }) => Prisma.sql`(${key.tnId}, ${key.docId}, ${Buffer.from(update)})`,
      );
      this.db
        .$executeRaw`INSERT INTO crdt_updates (tn_id, doc_id, update) VALUES ${Prisma.join(rows)}`.then(
        () => part.forEach((a) => a.resolve()),
        (error: unknown) => part.forEach((a) => a.reject(error)),
      );
    }
  }

  /** The document's whole state as one update (empty for a new document). */
  async load(key: DocKey): Promise<{ state: Uint8Array; updates: number }> {
    // One snapshot of the database: a compaction committing between the reads cannot hide updates.
    const [snapshot, updates] = await this.db.$transaction(
      [
        this.db.crdtSnapshot.findUnique({
          where: { tnId_docId: key },
          select: { state: true, upToSeq: true },
        }),
        this.db.crdtUpdate.findMany({
          where: { tnId: key.tnId, docId: key.docId },
          orderBy: { seq: 'asc' },
          select: { seq: true, update: true },
        }),
      ],
      { isolationLevel: 'RepeatableRead' },
    );
    // Updates already folded into the snapshot may still be listed if a compaction raced this read.
    const after = updates.filter((u) => !snapshot || u.seq > snapshot.upToSeq);
    const parts = [...(snapshot ? [snapshot.state] : []), ...after.map((u) => u.update)];
    const state = parts.length === 0 ? new Uint8Array() : Y.mergeUpdates(parts);
    return { state, updates: after.length };
  }

  /**
   * Folds the document's updates into its snapshot (garbage-collected through a Y.Doc) and deletes
   * them. Replicas may compact at once: an advisory lock on the document lets one through, the
   * other skips. Returns the number of updates folded.
   */
  async compact(key: DocKey): Promise<number> {
    return this.db.$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(${key.tnId}, hashtext(${key.docId})) AS locked`;
      if (!lock?.locked) return 0;
      const snapshot = await tx.crdtSnapshot.findUnique({
        where: { tnId_docId: key },
        select: { state: true, upToSeq: true },
      });
      const updates = await tx.crdtUpdate.findMany({
        where: {
          tnId: key.tnId,
          docId: key.docId,
          ...(snapshot ? { seq: { gt: snapshot.upToSeq } } : {}),
        },
        orderBy: { seq: 'asc' },
        select: { seq: true, update: true },
      });
      if (updates.length === 0) return 0;
      const doc = new Y.Doc();
      try {
        if (snapshot) Y.applyUpdate(doc, snapshot.state);
        for (const u of updates) Y.applyUpdate(doc, u.update);
        const state = Buffer.from(Y.encodeStateAsUpdate(doc));
        const upToSeq = updates.reduce((max, u) => (u.seq > max ? u.seq : max), 0n);
        await tx.crdtSnapshot.upsert({
          where: { tnId_docId: key },
          create: { ...key, state, upToSeq },
          update: { state, upToSeq, updatedAt: new Date() },
        });
        await tx.crdtUpdate.deleteMany({
          where: { tnId: key.tnId, docId: key.docId, seq: { lte: upToSeq } },
        });
      } finally {
        doc.destroy();
      }
      return updates.length;
    });
  }

  /**
   * A new document with another's content (duplicate): its snapshot is the source's state. An
   * existing target is left alone; false when nothing was written.
   */
  async copy(from: DocKey, to: DocKey): Promise<boolean> {
    const { state } = await this.load(from);
    if (state.byteLength === 0) return false;
    const { count } = await this.db.crdtSnapshot.createMany({
      data: [{ ...to, state: Buffer.from(state), upToSeq: 0n }],
      skipDuplicates: true,
    });
    return count > 0;
  }

  /** Everything of a tenant (its purge). */
  async forgetTenant(tnId: number): Promise<void> {
    await this.db.$transaction([
      this.db.crdtUpdate.deleteMany({ where: { tnId } }),
      this.db.crdtSnapshot.deleteMany({ where: { tnId } }),
    ]);
  }
}
