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

const KIND = { update: 0, awareness: 1, queryAwareness: 2, reload: 3 } as const;
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
 * diffs). Each replica relays the updates and awareness changes its own sockets make; the others
 * apply them as they are. Nothing is lost between replicas: every update is in Postgres before it
 * is relayed, a replica subscribes before it reads a document from Postgres (frames arriving
 * while it loads are applied afterwards; Yjs ignores what it has), and an update too large for
 * NATS is relayed as "reload" (the others read the document again).
 */
export class ReplicaFanOutExtension implements Extension {
  readonly extensionName = 'cloudillo-replica-fan-out';
  /** Before the update log: the subscription exists before the document is read. */
  readonly priority = 1000;
  private readonly logger = new Logger('replicas');
  private readonly instanceId = randomBytes(8).toString('base64url');
  private readonly subscriptions = new Map<string, Subscription>();
  /** Frames that arrived while their document was loading. */
  private readonly loading = new Map<string, Uint8Array[]>();
  private engine: Hocuspocus | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: UpdateLogRepository,
  ) {}

  /** Per-document subscriptions and loading buffers held (both empty when nothing is open). */
  get held(): { subscriptions: number; loading: number } {
    return { subscriptions: this.subscriptions.size, loading: this.loading.size };
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.engine = instance;
  }

  async onLoadDocument({ documentName }: onLoadDocumentPayload): Promise<void> {
    this.loading.set(documentName, []);
    if (this.subscriptions.has(documentName)) return;
    this.subscriptions.set(
      documentName,
      this.nc.subscribe(subjectOf(documentName), {
        callback: (error, message) => {
          if (!error) this.receive(documentName, message.data);
        },
      }),
    );
  }

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    const early = this.loading.get(documentName) ?? [];
    this.loading.delete(documentName);
    for (const frame of early) await this.apply(document, documentName, frame);
    // The others' presence: replicas holding the document answer with their awareness.
    this.publish(documentName, KIND.queryAwareness, new Uint8Array());
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    if (this.engine?.documents.has(documentName)) return; // loaded again meanwhile
    this.forget(documentName);
  }

  /** Drops a document's subscription (unloaded, or its load failed: no unload follows then). */
  forget(documentName: string): void {
    this.subscriptions.get(documentName)?.unsubscribe();
    this.subscriptions.delete(documentName);
    this.loading.delete(documentName);
  }

  async onChange({ documentName, update, transactionOrigin }: onChangePayload): Promise<void> {
    if (fromReplica(transactionOrigin)) return;
    if (update.byteLength > MAX_INLINE_BYTES)
      this.publish(documentName, KIND.reload, new Uint8Array());
    else this.publish(documentName, KIND.update, update);
  }

  async onAwarenessUpdate(payload: onAwarenessUpdatePayload): Promise<void> {
    if (fromReplica(payload.transactionOrigin)) return;
    const changed = [...payload.added, ...payload.updated, ...payload.removed];
    if (changed.length === 0) return;
    this.publish(
      payload.documentName,
      KIND.awareness,
      encodeAwarenessUpdate(payload.awareness, changed),
    );
  }

  async onDestroy(): Promise<void> {
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }

  private publish(documentName: string, kind: number, payload: Uint8Array): void {
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
    const document = this.engine?.documents.get(documentName);
    if (document) void this.apply(document, documentName, frame);
  }

  private async apply(document: Document, documentName: string, frame: Uint8Array): Promise<void> {
    try {
      const decoder = decoding.createDecoder(frame);
      const kind = decoding.readVarUint(decoder);
      if (decoding.readVarString(decoder) === this.instanceId) return;
      const payload = decoding.readVarUint8Array(decoder);
      if (kind === KIND.update) Y.applyUpdate(document, payload, FROM_REPLICA);
      else if (kind === KIND.awareness)
        applyAwarenessUpdate(document.awareness, payload, FROM_REPLICA);
      else if (kind === KIND.reload)
        Y.applyUpdate(document, (await this.log.load(docKeyOf(documentName))).state, FROM_REPLICA);
      else if (kind === KIND.queryAwareness && document.awareness.getStates().size > 0)
        this.publish(
          documentName,
          KIND.awareness,
          encodeAwarenessUpdate(document.awareness, [...document.awareness.getStates().keys()]),
        );
    } catch (error) {
      this.logger.warn(`a relayed frame for ${documentName} was not applied: ${String(error)}`);
    }
  }
}
