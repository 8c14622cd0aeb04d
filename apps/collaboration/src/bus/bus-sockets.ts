import { type IncomingMessage } from 'node:http';

import { Injectable, Logger } from '@nestjs/common';
import { UpgradeAuthenticator } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { type RawData, type WebSocket } from 'ws';

import { CLOSE, CloseError } from '../socket/close-codes';
import { ackOf, parseClientFrame, pushOf } from './bus-frames';

/** Who a bus socket belongs to: the tenant whose pushes it receives, and the token's user. */
export interface BusCaller {
  tenant: TenantContext;
  subject: string;
}

/**
 * The open `/ws/bus` sockets (protocol §7.1), kept per tenant (tnId, not id_tag: an id_tag may be
 * reused by a later tenant) so a push reaches only the sockets of the tenant it is about.
 */
@Injectable()
export class BusSockets {
  private readonly logger = new Logger('bus');
  private readonly byTenant = new Map<number, Set<WebSocket>>();

  constructor(private readonly authenticator: UpgradeAuthenticator) {}

  /**
   * The bus needs a full user token: without one 4401; a share link's anonymous token or a
   * scoped token (made for one file or app) 4403, as it must not hear all of the tenant's events.
   */
  async open(req: IncomingMessage): Promise<BusCaller> {
    const { tenant, auth } = await this.authenticator.authenticate(req);
    if (!auth) throw new CloseError(CLOSE.unauthorized, 'a token is required');
    if (auth.anonymous || auth.scope !== undefined)
      throw new CloseError(CLOSE.forbidden, 'the bus needs a user token');
    return { tenant, subject: auth.subject };
  }

  /** Serves an authorised socket; `early` are the frames it sent while it was being authorised. */
  connect(ws: WebSocket, caller: BusCaller, early: readonly Uint8Array[]): void {
    const { tnId } = caller.tenant;
    let sockets = this.byTenant.get(tnId);
    if (!sockets) this.byTenant.set(tnId, (sockets = new Set()));
    sockets.add(ws);
    ws.on('close', () => {
      sockets.delete(ws);
      if (sockets.size === 0 && this.byTenant.get(tnId) === sockets) this.byTenant.delete(tnId);
    });
    ws.on('message', (data, isBinary) => this.receive(ws, data, isBinary));
    for (const frame of early) this.receive(ws, Buffer.from(frame), false);
  }

  /** Whether any socket is open, so events need no tenant lookup when nobody listens. */
  get empty(): boolean {
    return this.byTenant.size === 0;
  }

  /** Sends a push to every open bus socket of the tenant; returns how many got it. */
  push(tnId: number, cmd: string, data: unknown): number {
    const sockets = this.byTenant.get(tnId);
    if (!sockets) return 0;
    const text = JSON.stringify(pushOf(cmd, data));
    let sent = 0;
    for (const ws of sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(text);
      sent++;
    }
    return sent;
  }

  /** A frame that is not a JSON bus frame closes the socket (4400): the client is not speaking §7.1. */
  private receive(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws.readyState !== ws.OPEN) return;
    const frame = isBinary ? undefined : parseClientFrame(textOf(data));
    if (!frame) {
      this.logger.debug('bus socket closed: not a {id, cmd, data} frame');
      ws.close(CLOSE.badRequest, 'frames are JSON {id, cmd, data}');
      return;
    }
    ws.send(JSON.stringify(ackOf(frame)));
  }
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
