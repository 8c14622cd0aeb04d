import {
  type beforeHandleAwarenessPayload,
  type Connection,
  type Extension,
} from '@hocuspocus/server';

import { type CrdtContext } from './crdt-context';

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

  async beforeHandleAwareness(payload: beforeHandleAwarenessPayload<CrdtContext>): Promise<void> {
    const { connection, context, states } = payload;
    if (!connection || !context) return;
    let owned = this.owned.get(connection);
    if (!owned) this.owned.set(connection, (owned = new Set()));
    for (const [clientId, state] of states) {
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
