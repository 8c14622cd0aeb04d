/** What the engine keeps about a socket (Hocuspocus's connection context). */
export interface CrdtContext {
  /** The authenticated identity (awareness `user.idTag`), `guest` without a token. */
  identity: string;
  writable: boolean;
}
