import { type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';

import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { requestUrl } from '@cloudillo/http';
import { type WebSocket, WebSocketServer } from 'ws';

import { BusSockets } from '../bus/bus-sockets';
import { type CollaborationConfig } from '../config';
import { CrdtEngine, type CrdtWire } from '../crdt/crdt-engine';
import { RtdbHub } from '../rtdb/rtdb-hub';
import { RtdbSession } from '../rtdb/rtdb-session';
import { RtdbService } from '../rtdb/rtdb.service';
import { COLLAB_CONFIG } from '../tokens';
import { CLOSE, closeCodeFor, CloseError, closeReason } from './close-codes';
import { FileSockets } from './file-sockets';

/** Frames a client may send while its socket is still being authorised. */
const MAX_EARLY_FRAMES = 64;

/** File sockets: the file type each path serves, and how. */
type FileRoute = { fileTp: 'CRDT'; wire: CrdtWire } | { fileTp: 'RTDB' };

const ROUTES: Record<string, FileRoute> = {
  crdt: { fileTp: 'CRDT', wire: 'y-websocket' },
  hocuspocus: { fileTp: 'CRDT', wire: 'hocuspocus' },
  rtdb: { fileTp: 'RTDB' },
};

/**
 * `/ws/{kind}/{id}` of a kind served here; a malformed path of such a kind (empty or extra
 * segments, bad escapes; `..` fails the id check later) is 4400, any other path 4404.
 */
function routeOf(path: string): { route: FileRoute; id: string } {
  const kind = /^\/ws\/([a-z]+)(\/|$)/.exec(path)?.[1];
  const route = kind === undefined ? undefined : ROUTES[kind];
  if (!route) throw new CloseError(CLOSE.notFound, 'no such socket');
  const match = /^\/ws\/[a-z]+\/([^/]+)$/.exec(path);
  if (!match) throw new CloseError(CLOSE.badRequest, 'the path is /ws/<kind>/<file id>');
  try {
    return { route, id: decodeURIComponent(match[1] ?? '') };
  } catch {
    throw new CloseError(CLOSE.badRequest, 'the path is /ws/<kind>/<file id>');
  }
}

/**
 * The service's WebSockets (`/ws/crdt/{fileId}`, `/ws/hocuspocus/{fileId}`): every upgrade is
 * accepted, then authorised (protocol §6: a refusal is a close code the client can act on, not an
 * HTTP status it cannot read); frames sent meanwhile are held. Sockets are pinged and closed when
 * a pong is missed; frames over the limit close the socket (1009).
 */
@Injectable()
export class SocketServer implements OnApplicationShutdown {
  private readonly logger = new Logger('sockets');
  private readonly wss: WebSocketServer;
  private readonly alive = new WeakSet<WebSocket>();
  private pinger: NodeJS.Timeout | undefined;

  constructor(
    @Inject(COLLAB_CONFIG) private readonly config: CollaborationConfig,
    private readonly files: FileSockets,
    private readonly crdt: CrdtEngine,
    private readonly bus: BusSockets,
    private readonly rtdb: RtdbService,
    private readonly rtdbHub: RtdbHub,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.limits.frameBytes });
  }

  /** Takes the HTTP server's upgrades and starts pinging. */
  attach(server: Server): void {
    server.on('upgrade', this.upgrade);
    this.pinger = setInterval(() => this.ping(), this.config.pingMs);
    this.pinger.unref();
  }

  get sockets(): number {
    return this.wss.clients.size;
  }

  private readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      ws.on('error', () => ws.terminate());
      this.serve(req, ws).catch((error: unknown) => {
        const code = closeCodeFor(error);
        if (code === CLOSE.serverError) this.logger.warn(`socket refused: ${String(error)}`);
        ws.close(code, closeReason(error instanceof Error ? error.message : 'refused'));
      });
    });
  };

  private async serve(req: IncomingMessage, ws: WebSocket): Promise<void> {
    const early: Uint8Array[] = [];
    const hold = (data: Buffer): void => {
      if (early.push(data) > MAX_EARLY_FRAMES)
        ws.close(CLOSE.badRequest, 'too many frames before the socket was ready');
    };
    ws.on('message', hold);
    try {
      // The notification bus (protocol §7.1) is no file's socket: its own auth, its own frames.
      if (requestUrl(req).pathname === '/ws/bus') {
        const caller = await this.bus.open(req);
        if (ws.readyState !== ws.OPEN) return;
        ws.off('message', hold);
        this.bus.connect(ws, caller, early);
        return;
      }
      const { route, id } = routeOf(requestUrl(req).pathname);
      const file = await this.files.open(req, id, route.fileTp);
      if (ws.readyState !== ws.OPEN) return;
      ws.off('message', hold);
      if (route.fileTp === 'RTDB') new RtdbSession(ws, file, this.rtdb, this.rtdbHub).start(early);
      else this.crdt.connect(ws, file, route.wire, early);
    } finally {
      ws.off('message', hold);
    }
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.pinger);
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down');
    this.wss.close();
  }
}
