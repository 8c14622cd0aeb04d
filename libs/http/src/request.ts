import { type Request } from 'express';

/** What the edge middleware learned about a request, carried on it for later layers. */
export interface RequestMeta {
  /** The client's X-Request-ID when well-formed (protocol §0); echoed as `reqId`. */
  reqId?: string;
}

export type MetaRequest = Request & { cloudillo?: RequestMeta };

export function requestMeta(req: Request): RequestMeta {
  const typed = req as MetaRequest;
  typed.cloudillo ??= {};
  return typed.cloudillo;
}
