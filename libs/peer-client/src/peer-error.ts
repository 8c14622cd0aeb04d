/** Why a peer could not be read; callers cache and map these differently (protocol §1.4). */
export type PeerErrorKind =
  | 'invalid-peer'
  | 'blocked'
  | 'network'
  | 'timeout'
  | 'too-large'
  | 'redirects'
  | 'status'
  | 'parse'
  | 'shape';

export class PeerError extends Error {
  override readonly name = 'PeerError';
  constructor(
    readonly kind: PeerErrorKind,
    message: string,
    readonly status?: number,
    /** The body of an error answer when it was JSON (at most 4 KiB read). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}
