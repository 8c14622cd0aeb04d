import { randomBytes } from 'node:crypto';

import { Logger } from '@nestjs/common';
import {
  type afterLoadDocumentPayload,
  type afterUnloadDocumentPayload,
  type Document,
  type Extension,
  type Hocuspocus,
  isTransactionOrigin,
  type onAwarenessUpdatePayload,
  type onChangePayload,
  type onConfigurePayload,
  type onLoadDocumentPayload,
  type RedisTransactionOrigin,
} from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { type NatsConnection, type Subscription } from 'nats';
import { applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';

import { docKeyOf } from './document-name';
import { type UpdateLogRepository } from './update-log.repository';

/**
 * Frames between replicas. `hello` (a replica opened the document), `here` (the answer: I have it
 * open too) and `bye` (closed it) keep each replica's list of peers per document, so a document
 * open on one replica only costs nothing; the rest carry its changes.
 */
const KIND = { update: 0, awareness: 1, reload: 3, hello: 4, here: 5, bye: 6 } as const;
/** Updates larger than this are not sent over NATS: replicas reload the document instead. */
const MAX_INLINE_BYTES = 512 * 1024;

/** What replicas apply: marked as not from a socket (the engine skips its store hooks). */
const FROM_REPLICA: RedisTransactionOrigin = { source: 'redis' };

function fromReplica(origin: unknown): boolean {
  return isTransactionOrigin(origin) && origin.source === 'redis';
}

/** One NATS subject per open document: replicas hear only the documents they have open. */
function subjectOf(documentName: string): string {
  const { tnId, docId } = docKeyOf(documentName);
  return `collab.crdt.relayed.v1.${tnId}.${docId}`;
}

/**
 * Replicas sharing documents over NATS (issue 23 "Replicas"; measured cheaper than
 * `@hocuspocus/extension-redis`, which publishes a state vector per change and answers with
 * diffs). Each replica relays the updates and awareness changes its own sockets make to the peers
 * that have the document open, which apply them as they are; alone, it relays nothing.
 *
 * Nothing is lost between replicas, because every update is in Postgres before it is applied
 * (and so before it is relayed). A replica opening a document subscribes, says `hello`, then reads
 * it (frames arriving meanwhile are applied afterwards; Yjs ignores what it has). A peer adds it
 * before answering `here`, so whatever the peer applies from then on reaches it, and whatever the
 * peer applied before is in Postgres: the newcomer reads the document again on each `here`, and
 * asks the peer to do the same (`reload`) for what its own sockets wrote before it knew the peer.
 * An update too large for NATS is relayed as `reload` too.
 */
export class ReplicaFanOutExtension implements Extension {
  readonly extensionName = 'cloudillo-replica-fan-out';
  /** Before the update log: the subscription exists before the document is read. */
  readonly priority = 1000;
  private readonly logger = new Logger('replicas');
  private readonly instanceId = randomBytes(8).toString('base64url');
  private readonly subscriptions = new Map<string, Subscription>();
  /** Per open document, the other replicas that have it open. */
  private readonly peers = new Map<string, Set<string>>();
  /** Frames that arrived while their document was loading. */
  private readonly loading = new Map<string, Uint8Array[]>();
  /**
   * Loaded documents, ours to look up: the engine lists a document only after its load hooks
   * have run, and frames arriving meanwhile must not be lost.
   */
  private readonly documents = new Map<string, Document>();
  private engine: Hocuspocus | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: UpdateLogRepository,
  ) {}

  /** Per-document subscriptions and loading buffers held (both empty when nothing is open). */
  get held(): { subscriptions: number; loading: number; peers: number } {
    return {
      subscriptions: this.subscriptions.size,
      loading: this.loading.size,
      peers: this.peers.size,
    };
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.engine = instance;
  }

  async onLoadDocument({ documentName }: onLoadDocumentPayload): Promise<void> {
    this.loading.set(documentName, []);
    if (!this.subscriptions.has(documentName))
      this.subscriptions.set(
        documentName,
        this.nc.subscribe(subjectOf(documentName), {
          callback: (error, message) => {
            if (!error) this.receive(documentName, message.data);
          },
        }),
      );
    this.peers.set(documentName, new Set());
    this.publish(documentName, KIND.hello);
  }

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    // Frames arriving while these are applied join the queue: it is empty when loading ends.
    const early = this.loading.get(documentName) ?? [];
    for (let frame = early.shift(); frame; frame = early.shift())
      await this.apply(document, documentName, frame);
    this.loading.delete(documentName);
    this.documents.set(documentName, document);
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    if (this.engine?.documents.has(documentName)) return; // loaded again meanwhile
    this.forget(documentName);
  }

  /** Drops a document's subscription (unloaded, or its load failed: no unload follows then). */
  forget(documentName: string): void {
    if (this.peers.get(documentName)?.size) this.publish(documentName, KIND.bye);
    this.subscriptions.get(documentName)?.unsubscribe();
    this.subscriptions.delete(documentName);
    this.loading.delete(documentName);
    this.documents.delete(documentName);
    this.peers.delete(documentName);
  }

  async onChange({ documentName, update, transactionOrigin }: onChangePayload): Promise<void> {
    if (fromReplica(transactionOrigin) || !this.peers.get(documentName)?.size) return;
    if (update.byteLength > MAX_INLINE_BYTES) this.publish(documentName, KIND.reload);
    else this.publish(documentName, KIND.update, update);
  }

  async onAwarenessUpdate(payload: onAwarenessUpdatePayload): Promise<void> {
    if (fromReplica(payload.transactionOrigin) || !this.peers.get(payload.documentName)?.size)
      return;
    const changed = [...payload.added, ...payload.updated, ...payload.removed];
    if (changed.length === 0) return;
    this.publish(
      payload.documentName,
      KIND.awareness,
      encodeAwarenessUpdate(payload.awareness, changed),
    );
  }

  async onDestroy(): Promise<void> {
    for (const name of [...this.subscriptions.keys()]) this.forget(name);
  }

  private publish(
    documentName: string,
    kind: number,
    payload: Uint8Array = new Uint8Array(),
  ): void {
    if (this.nc.isClosed()) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, kind);
    encoding.writeVarString(encoder, this.instanceId);
    encoding.writeVarUint8Array(encoder, payload);
    try {
      this.nc.publish(subjectOf(documentName), encoding.toUint8Array(encoder));
    } catch (error) {
      this.logger.warn(`not relayed to replicas: ${String(error)}`);
    }
  }

  private receive(documentName: string, frame: Uint8Array): void {
    const early = this.loading.get(documentName);
    if (early) {
      early.push(frame);
      return;
    }
    const document = this.documents.get(documentName);
    if (document) void this.apply(document, documentName, frame);
  }

  private async apply(document: Document, documentName: string, frame: Uint8Array): Promise<void> {
    try {
      const decoder = decoding.createDecoder(frame);
      const kind = decoding.readVarUint(decoder);
      const from = decoding.readVarString(decoder);
      if (from === this.instanceId) return;
      const payload = decoding.readVarUint8Array(decoder);
      const peers = this.peers.get(documentName);
      switch (kind) {
        case KIND.update:
          Y.applyUpdate(document, payload, FROM_REPLICA);
          break;
        case KIND.awareness:
          applyAwarenessUpdate(document.awareness, payload, FROM_REPLICA);
          break;
        case KIND.reload:
          await this.reload(document, documentName);
          break;
        case KIND.hello:
          peers?.add(from);
          this.publish(documentName, KIND.here);
          this.shareAwareness(document, documentName);
          break;
        case KIND.here:
          peers?.add(from);
          // Whatever the peer applied before it knew us is in Postgres; what our sockets wrote
          // before we knew it is too: both sides read the document again.
          this.publish(documentName, KIND.reload);
          await this.reload(document, documentName);
          break;
        case KIND.bye:
          peers?.delete(from);
          break;
      }
    } catch (error) {
      this.logger.warn(`a relayed frame for ${documentName} was not applied: ${String(error)}`);
    }
  }

  private async reload(document: Document, documentName: string): Promise<void> {
    const { state } = await this.log.load(docKeyOf(documentName));
    if (state.byteLength > 0) Y.applyUpdate(document, state, FROM_REPLICA);
  }

  /** Our sockets' presence, for a replica that just opened the document. */
  private shareAwareness(document: Document, documentName: string): void {
    const clients = [...document.awareness.getStates().keys()];
    if (clients.length > 0)
      this.publish(
        documentName,
        KIND.awareness,
        encodeAwarenessUpdate(document.awareness, clients),
      );
  }
}
