/**
 * Replayable answers (between the services and the gateway only): a service marks an answer with
 * `REPLAY_HEADER: <seconds>` when its answer to a byte-identical request — same tenant, method,
 * path and body — stays the same for that long, whoever sends it. The gateway may then answer such
 * a repeat itself, with the same status and `data` in a fresh envelope (its own `time`, the
 * repeat's request id), without asking the service. Only the service's answer can put an entry
 * there; the gateway never passes the header on to a client.
 *
 * For requests that arrive again and again by design: a peer re-delivering a token it already
 * delivered (a retry after a lost 201, history sync).
 */
export const REPLAY_HEADER = 'x-cloudillo-replay';

/** A fast route's result whose answer may be replayed (`REPLAY_HEADER`) for `seconds`. */
export class Replayable<T = unknown> {
  constructor(
    readonly data: T,
    readonly seconds: number,
  ) {}
}
