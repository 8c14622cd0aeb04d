import * as decoding from 'lib0/decoding';

/** y-protocols message types (the first varUint of a frame). */
export const MESSAGE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;
/** Sync sub-types. */
export const SYNC = { step1: 0, step2: 1, update: 2 } as const;

/** What a client frame carries, checked to its end: anything else is a malformed frame. */
export type ClientFrame =
  | { type: 'sync'; step: 0 | 1 | 2; payload: Uint8Array }
  | { type: 'awareness'; payload: Uint8Array }
  | { type: 'queryAwareness' };

/**
 * Decodes one y-websocket frame (lib0 v1 encoding) strictly: a known type, a complete payload and
 * nothing after it. Undefined for anything else.
 */
export function readClientFrame(frame: Uint8Array): ClientFrame | undefined {
  try {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    let result: ClientFrame | undefined;
    if (type === MESSAGE.sync) {
      const step = decoding.readVarUint(decoder);
      if (step !== SYNC.step1 && step !== SYNC.step2 && step !== SYNC.update) return undefined;
      result = { type: 'sync', step, payload: decoding.readVarUint8Array(decoder) };
    } else if (type === MESSAGE.awareness) {
      result = { type: 'awareness', payload: decoding.readVarUint8Array(decoder) };
    } else if (type === MESSAGE.queryAwareness) {
      result = { type: 'queryAwareness' };
    }
    return result && !decoding.hasContent(decoder) ? result : undefined;
  } catch {
    return undefined;
  }
}
