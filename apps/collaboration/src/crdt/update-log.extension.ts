import { Logger } from '@nestjs/common';
import {
  type afterLoadDocumentPayload,
  type afterUnloadDocumentPayload,
  type beforeHandleMessagePayload,
  type Connection,
  type Extension,
  type onLoadDocumentPayload,
} from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

import { CLOSE } from '../socket/close-codes';
import { docKeyOf } from './document-name';
import { MESSAGE, SYNC } from './sync-frames';
import { type DocKey, type UpdateLogRepository } from './update-log.repository';

/** Sync reply: Hocuspocus's own variant of a sync message (same payload). */
const SYNC_REPLY = 4;
/** An update with no structs and no deletions: what Yjs encodes for "nothing new". */
const EMPTY_UPDATE_BYTES = 2;

/** The Yjs update a Hocuspocus-framed message would apply, if it is one. */
function updateIn(message: Uint8Array): Uint8Array | undefined {
  const decoder = decoding.createDecoder(message);
  decoding.readVarString(decoder);
  const type = decoding.readVarUint(decoder);
  if (type !== MESSAGE.sync && type !== SYNC_REPLY) return undefined;
  const step = decoding.readVarUint(decoder);
  if (step !== SYNC.step2 && step !== SYNC.update) return undefined;
  return decoding.readVarUint8Array(decoder);
}

/**
 * Closes the socket with 4400 and stops the message. (Thrown codes reach a y-websocket client
 * only as the engine's close message, which carries no code.)
 */
function refuse(connection: Connection, reason: string): never {
  connection.webSocket.close(CLOSE.badRequest, reason);
  throw { code: CLOSE.badRequest, reason };
}

/** Open documents' bookkeeping: stored bytes (the size limit) and updates since compaction. */
interface OpenDocument {
  bytes: number;
  sinceCompaction: number;
}

/**
 * Durability (protocol §6): every update a writer sends is appended to Postgres before the engine
 * applies it, so before any other client (or the writer's own acknowledgement) sees it; a document
 * is loaded from its snapshot and log; compaction runs after `compactAfter` updates and when the
 * last client leaves (the engine then unloads the document, nothing stays in memory).
 */
export class UpdateLogExtension implements Extension {
  readonly extensionName = 'cloudillo-update-log';
  private readonly logger = new Logger('crdt-log');
  private readonly open = new Map<string, OpenDocument>();

  constructor(
    private readonly log: UpdateLogRepository,
    private readonly limits: { documentBytes: number; compactAfter: number },
    private readonly hooks: {
      /** Told after each stored update (the file's `modifiedAt`). */
      written?: (key: DocKey) => void;
      /** Told when a document could not be loaded (the engine then drops it without unloading). */
      loadFailed?: (documentName: string) => void;
    } = {},
  ) {}

  /** Documents whose bookkeeping is held (none when nothing is open). */
  get held(): number {
    return this.open.size;
  }

  /** The stored state (nothing for a new document: the engine starts it empty). */
  async onLoadDocument({
    documentName,
    document,
  }: onLoadDocumentPayload): Promise<Uint8Array | undefined> {
    const { state, updates } = await this.log
      .load(docKeyOf(documentName))
      .catch((error: unknown) => {
        // The engine neither keeps nor unloads a document whose load failed, so nothing would stop
        // its awareness timer: destroy it here (a known Hocuspocus leak path).
        document.destroy();
        this.hooks.loadFailed?.(documentName);
        throw error;
      });
    this.open.set(documentName, { bytes: state.byteLength, sinceCompaction: updates });
    return state.byteLength > 0 ? state : undefined;
  }

  async afterLoadDocument({ documentName }: afterLoadDocumentPayload): Promise<void> {
    const doc = this.open.get(documentName);
    if (doc && doc.sinceCompaction >= this.limits.compactAfter) this.compact(documentName);
  }

  async beforeHandleMessage(payload: beforeHandleMessagePayload): Promise<void> {
    const { connection, document, documentName } = payload;
    if (connection.readOnly) return; // the engine drops its updates
    const update = updateIn(payload.update);
    if (!update) return;
    let fresh: Uint8Array;
    try {
      fresh = Y.diffUpdate(update, Y.encodeStateVector(document));
    } catch {
      refuse(connection, 'malformed update');
    }
    if (fresh.byteLength <= EMPTY_UPDATE_BYTES) return;
    const doc = this.open.get(documentName) ?? { bytes: 0, sinceCompaction: 0 };
    if (doc.bytes + fresh.byteLength > this.limits.documentBytes)
      refuse(connection, 'document too large');
    const key = docKeyOf(documentName);
    await this.log.append(key, fresh);
    this.hooks.written?.(key);
    doc.bytes += fresh.byteLength;
    doc.sinceCompaction += 1;
    this.open.set(documentName, doc);
    if (doc.sinceCompaction >= this.limits.compactAfter) this.compact(documentName);
  }

  /** The last compaction of a closed document, awaited: once unloaded, nothing more is written. */
  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    const doc = this.open.get(documentName);
    this.open.delete(documentName);
    if (doc && doc.sinceCompaction > 0) await this.compactNow(documentName);
  }

  /** In the background: a failed compaction loses nothing (the log stays) and is retried later. */
  private compact(documentName: string): void {
    const doc = this.open.get(documentName);
    if (doc) doc.sinceCompaction = 0;
    void this.compactNow(documentName);
  }

  private async compactNow(documentName: string): Promise<void> {
    await this.log.compact(docKeyOf(documentName)).catch((error: unknown) => {
      this.logger.warn(`compaction of ${documentName} failed: ${String(error)}`);
    });
  }
}
