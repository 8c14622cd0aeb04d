import {
  type beforeHandleAwarenessPayload,
  type beforeHandleMessagePayload,
  type Connection,
  type Extension,
} from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';

import { type CrdtContext } from './crdt-context';
import { MESSAGE } from './sync-frames';

/** Yjs client ids one socket may own (protocol §6). */
export const MAX_CLIENT_IDS = 8;

/**
 * Awareness as the reference relays it (protocol §6): a state's `user.idTag` is the socket's
 * authenticated identity, whatever the client wrote, and a socket owns at most eight client ids
 * (more would let one client crowd a document's presence). The engine removes a socket's states
 * when it closes.
 */
export class AwarenessGuardExtension implements Extension {
  readonly extensionName = 'cloudillo-awareness-guard';
  private readonly owned = new WeakMap<Connection, Set<number>>();
  /** The client ids of the awareness frame each socket is sending now. */
  private readonly sent = new WeakMap<Connection, Set<number>>();

  /**
   * Notes which client ids an awareness frame really names. The engine decodes each frame into a
   * scratch Awareness whose own (empty) state shows up among the states with a random id; only
   * the ids the client sent may count against its eight.
   */
  async beforeHandleMessage({ connection, update }: beforeHandleMessagePayload): Promise<void> {
    const ids = awarenessClientIds(update);
    if (ids) this.sent.set(connection, ids);
  }

  async beforeHandleAwareness(payload: beforeHandleAwarenessPayload<CrdtContext>): Promise<void> {
    const { connection, context, states } = payload;
    if (!connection || !context) return;
    let owned = this.owned.get(connection);
    if (!owned) this.owned.set(connection, (owned = new Set()));
    const sent = this.sent.get(connection);
    this.sent.delete(connection);
    for (const [clientId, state] of states) {
      if (!sent?.has(clientId)) {
        states.delete(clientId);
        continue;
      }
      if (!owned.has(clientId)) {
        if (owned.size >= MAX_CLIENT_IDS) {
          states.delete(clientId);
          continue;
        }
        owned.add(clientId);
      }
      const user: unknown = state['user'];
      if (user !== undefined)
        state['user'] = {
          ...(typeof user === 'object' && user !== null ? user : {}),
          idTag: context.identity,
        };
    }
  }
}

/** The client ids an engine-framed awareness message names (undefined for other messages). */
function awarenessClientIds(message: Uint8Array): Set<number> | undefined {
  const decoder = decoding.createDecoder(message);
  decoding.readVarString(decoder);
  if (decoding.readVarUint(decoder) !== MESSAGE.awareness) return undefined;
  const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  const ids = new Set<number>();
  const count = decoding.readVarUint(update);
  for (let i = 0; i < count; i++) {
    ids.add(decoding.readVarUint(update));
    decoding.readVarUint(update); // clock
    decoding.readVarString(update); // state (JSON)
  }
  return ids;
}
