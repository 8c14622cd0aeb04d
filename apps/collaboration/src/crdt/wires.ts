import { type WebSocketLike } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { type WebSocket } from 'ws';
import { type Awareness } from 'y-protocols/awareness';

import { CLOSE, closeReason } from '../socket/close-codes';
import { isStaleAwareness } from './stale-awareness';
import { MESSAGE, readClientFrame } from './sync-frames';

/** Hocuspocus message types the y-websocket wire passes on or rewrites. */
const HOCUSPOCUS = { syncReply: 4, close: 7 } as const;
/** Hocuspocus's auth sub-types: a token (client → engine), a refusal (engine → client). */
const AUTH_TOKEN = 0;
const AUTH_PERMISSION_DENIED = 1;

/** Prefixes a frame with a document address (Hocuspocus frames name their document first). */
function addressed(address: string, frame: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  encoding.writeUint8Array(encoder, frame);
  return encoding.toUint8Array(encoder);
}

/** Splits a Hocuspocus frame into its address and the rest. */
function unaddressed(frame: Uint8Array): { address: string; rest: Uint8Array } {
  const decoder = decoding.createDecoder(frame);
  const address = decoding.readVarString(decoder);
  return { address, rest: frame.subarray(decoder.pos) };
}

/** What the engine needs of a wire: frames in, and the socket's end. */
export interface EngineConnection {
  handleMessage(data: Uint8Array): void;
}

/**
 * A stock y-websocket client on the engine (architecture.md "Collaboration wire"): its frames get
 * the document's address, the engine's answers lose it; the engine's auth exchange is answered
 * here (the upgrade already authenticated the socket) and its own message types (sync status,
 * stateless, auth results) never reach the client. A sync reply is an ordinary sync message.
 */
export class YWebsocketWire implements WebSocketLike {
  constructor(
    private readonly ws: WebSocket,
    private readonly name: string,
    /** The open document's awareness, to drop echoes of what it has (none: keep everything). */
    private readonly awareness: () => Awareness | undefined = () => undefined,
  ) {}

  get readyState(): number {
    return this.ws.readyState;
  }

  /** The first frame the engine needs: authentication for the one document of this socket. */
  hello(): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, this.name);
    encoding.writeVarUint(encoder, MESSAGE.auth);
    encoding.writeVarUint(encoder, AUTH_TOKEN);
    encoding.writeVarString(encoder, '');
    return encoding.toUint8Array(encoder);
  }

  /** A client frame for the engine; undefined (and the socket closed 4400) when malformed. */
  inbound(frame: Uint8Array): Uint8Array | undefined {
    const parsed = readClientFrame(frame);
    if (!parsed) {
      this.close(CLOSE.badRequest, 'malformed frame');
      return undefined;
    }
    if (parsed.type === 'awareness') {
      const awareness = this.awareness();
      if (awareness && isStaleAwareness(awareness, parsed.payload)) return undefined;
    }
    return addressed(this.name, frame);
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (!(data instanceof Uint8Array)) return;
    const { rest } = unaddressed(data);
    const type = rest[0];
    if (type === MESSAGE.sync || type === MESSAGE.awareness) this.ws.send(rest);
    else if (type === HOCUSPOCUS.syncReply) {
      const copy = Uint8Array.from(rest);
      copy[0] = MESSAGE.sync;
      this.ws.send(copy);
    } else if (type === HOCUSPOCUS.close) this.close(1000, 'closed by the server');
    else if (type === MESSAGE.auth && rest[1] === AUTH_PERMISSION_DENIED)
      // The upgrade authorised the socket, so a refusal here is the engine failing to open the
      // document (its load failed): a server error the client retries, not a silent socket.
      this.close(CLOSE.serverError, 'the document could not be opened');
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason === undefined ? undefined : closeReason(reason));
  }
}

/**
 * A `@hocuspocus/provider` client: Hocuspocus's own protocol, for the one document the upgrade
 * authorised. The client names it by file id; the engine by tenant and file id. Frames for any
 * other document close the socket.
 */
export class HocuspocusWire implements WebSocketLike {
  constructor(
    private readonly ws: WebSocket,
    private readonly fileId: string,
    private readonly name: string,
  ) {}

  get readyState(): number {
    return this.ws.readyState;
  }

  inbound(frame: Uint8Array): Uint8Array | undefined {
    let parsed: { address: string; rest: Uint8Array };
    try {
      parsed = unaddressed(frame);
    } catch {
      this.close(CLOSE.badRequest, 'malformed frame');
      return undefined;
    }
    const [docName, session] = splitAddress(parsed.address);
    if (docName !== this.fileId || parsed.rest.length === 0) {
      this.close(CLOSE.forbidden, 'this socket is for one document');
      return undefined;
    }
    return addressed(joinAddress(this.name, session), parsed.rest);
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (!(data instanceof Uint8Array)) return;
    const { address, rest } = unaddressed(data);
    const [, session] = splitAddress(address);
    this.ws.send(addressed(joinAddress(this.fileId, session), rest));
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason === undefined ? undefined : closeReason(reason));
  }
}

/** Session-aware providers address `name\0session`. */
function splitAddress(address: string): [string, string | undefined] {
  const nul = address.indexOf('\0');
  return nul === -1 ? [address, undefined] : [address.slice(0, nul), address.slice(nul + 1)];
}

function joinAddress(name: string, session: string | undefined): string {
  return session === undefined ? name : `${name}\0${session}`;
}
