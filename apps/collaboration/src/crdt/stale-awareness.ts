import * as decoding from 'lib0/decoding';
import { type Awareness } from 'y-protocols/awareness';

/**
 * Whether an awareness update tells the document nothing new: every entry's clock is one the
 * document has seen (a removal, `null`, of a state it still has is news). Stock y-websocket
 * clients re-send every awareness change they receive, so each renewal comes back from every
 * other client of the document; those echoes are dropped before the engine decodes them.
 */
export function isStaleAwareness(awareness: Awareness, update: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    if (count === 0) return false;
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state = decoding.readVarString(decoder);
      const known = awareness.meta.get(clientId);
      if (!known || known.clock < clock) return false;
      if (known.clock === clock && state === 'null' && awareness.states.has(clientId)) return false;
    }
    return true;
  } catch {
    return false; // malformed: the engine's own checks answer it
  }
}
