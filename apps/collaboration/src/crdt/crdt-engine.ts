import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Extension, Hocuspocus, type onAuthenticatePayload } from '@hocuspocus/server';
import { type WebSocket } from 'ws';

import { NATS_CONNECTION } from '@cloudillo/messaging';
import { type NatsConnection } from 'nats';

import { type CollaborationConfig } from '../config';
import { FileChanges } from '../files/file-changes';
import { type FileSocket } from '../socket/file-sockets';
import { COLLAB_CONFIG } from '../tokens';
import { AwarenessGuardExtension } from './awareness-guard.extension';
import { ReplicaFanOutExtension } from './replica-fan-out.extension';
import { type CrdtContext } from './crdt-context';
import { documentName } from './document-name';
import { UpdateLogExtension } from './update-log.extension';
import { UpdateLogRepository } from './update-log.repository';
import { HocuspocusWire, YWebsocketWire } from './wires';

/** The two wires a document socket may speak. */
export type CrdtWire = 'y-websocket' | 'hocuspocus';

/**
 * The collaborative-document engine: Hocuspocus with the update log (durability), the awareness
 * guard and fan-out between replicas over NATS. Sockets arrive authenticated; the
 * engine only learns whether each may write.
 */
@Injectable()
export class CrdtEngine implements OnApplicationShutdown {
  readonly hocuspocus: Hocuspocus<CrdtContext>;
  private readonly updateLog: UpdateLogExtension;
  private readonly replicas: ReplicaFanOutExtension;

  constructor(
    @Inject(COLLAB_CONFIG) config: CollaborationConfig,
    log: UpdateLogRepository,
    changes: FileChanges,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
  ) {
    this.replicas = new ReplicaFanOutExtension(nc, log);
    this.updateLog = new UpdateLogExtension(
      log,
      { documentBytes: config.limits.documentBytes, compactAfter: config.compactAfter },
      {
        written: (key) => changes.touched(key.tnId, key.docId),
        loadFailed: (name) => this.replicas.forget(name),
      },
    );
    const extensions: Extension[] = [this.updateLog, new AwarenessGuardExtension(), this.replicas];
    this.hocuspocus = new Hocuspocus<CrdtContext>({
      name: 'collaboration',
      quiet: true,
      // Clients send awareness every 15 s; a socket silent for longer than this is gone.
      timeout: 60_000,
      extensions,
      onAuthenticate: async ({ context, connectionConfig }: onAuthenticatePayload<CrdtContext>) => {
        connectionConfig.readOnly = !context.writable;
      },
    });
  }

  /** Serves one authenticated socket's document on the wire it speaks; `early` frames first. */
  connect(ws: WebSocket, file: FileSocket, wireKind: CrdtWire, early: Uint8Array[]): void {
    const name = documentName({ tnId: file.tenant.tnId, docId: file.fileId });
    const wire =
      wireKind === 'hocuspocus'
        ? new HocuspocusWire(ws, file.fileId, name)
        : new YWebsocketWire(ws, name, () => this.hocuspocus.documents.get(name)?.awareness);
    const context: CrdtContext = { identity: file.identity, writable: file.writable };
    const client = this.hocuspocus.handleConnection(
      wire,
      new Request('http://collaboration.invalid/'),
      context,
    );
    const receive = (frame: Uint8Array): void => {
      const inbound = wire.inbound(frame);
      if (inbound) client.handleMessage(inbound);
    };
    ws.on('close', (code, reason) => client.handleClose({ code, reason: reason.toString() }));
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) receive(data);
      else wire.close(4400, 'binary frames only');
    });
    if (wire instanceof YWebsocketWire) client.handleMessage(wire.hello());
    for (const frame of early) receive(frame);
  }

  /**
   * Closes every open document of a tenant (its purge) and resolves once they are unloaded, their
   * last compaction done: nothing of the tenant is written after that. Clients are refused when
   * they return (the tenant is gone).
   */
  async closeTenant(tnId: number, timeoutMs = 10_000): Promise<void> {
    const prefix = `${tnId}:`;
    const open = () =>
      [
        ...this.hocuspocus.documents.keys(),
        ...this.hocuspocus.loadingDocuments.keys(),
        ...this.hocuspocus.unloadingDocuments.keys(),
      ].filter((name) => name.startsWith(prefix));
    const deadline = Date.now() + timeoutMs;
    for (let names = open(); names.length > 0; names = open()) {
      for (const name of names) this.hocuspocus.closeConnections(name);
      if (Date.now() > deadline) throw new Error(`documents of tenant ${tnId} still open`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * What the engine holds: open documents, their connections and awareness states, and the
   * extensions' per-document state. Everything is zero once every client has left (tests check
   * it; metrics will read it).
   */
  stats(): {
    documents: number;
    connections: number;
    awarenessStates: number;
    logBookkeeping: number;
    relaySubscriptions: number;
    relayLoading: number;
    relayPeers: number;
  } {
    let awarenessStates = 0;
    for (const document of this.hocuspocus.documents.values())
      awarenessStates += document.awareness.getStates().size;
    const { subscriptions, loading, peers } = this.replicas.held;
    return {
      documents: this.hocuspocus.getDocumentsCount(),
      connections: this.hocuspocus.getConnectionsCount(),
      awarenessStates,
      logBookkeeping: this.updateLog.held,
      relaySubscriptions: subscriptions,
      relayLoading: loading,
      relayPeers: peers,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.hocuspocus.closeConnections();
    this.hocuspocus.flushPendingStores();
    await this.hocuspocus.hooks('onDestroy', { instance: this.hocuspocus });
  }
}
