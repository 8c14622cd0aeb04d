/**
 * Replayable answers (between the services and the gateway only): a service marks an answer with
 * `REPLAY_HEADER: <seconds>` when its answer to a byte-identical request — same tenant, method,
 * path and body, GET or POST — stays the same for that long, whoever sends it (whatever its
 * Authorization). The gateway may then answer such a repeat itself, with the same status, headers
 * (an ETag answers If-None-Match with 304) and `data` in a fresh envelope (its own `time`, the
 * repeat's request id), without asking the service. Only the service's answer can put an entry
 * there; the gateway never passes the header on to a client, and drops a tenant's entries when
 * identity announces a change of the tenant (profile, keys, status, purge).
 *
 * For requests that arrive again and again by design: a peer re-delivering a token it already
 * delivered (a retry after a lost 201, history sync), and `GET /api/me`, which every peer asks to
 * verify a tenant's tokens.
 */
export const REPLAY_HEADER = 'x-cloudillo-replay';

/** A fast route's result whose answer may be replayed (`REPLAY_HEADER`) for `seconds`. */
export class Replayable<T = unknown> {
  constructor(
    readonly data: T,
    readonly seconds: number,
  ) {}
}
