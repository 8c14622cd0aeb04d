import { type IncomingMessage } from 'node:http';

/** A declared Content-Length over `limit`: a body to refuse before a byte of it is read. */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}
