import { isValidRequestId } from '@cloudillo/protocol';
import { type NextFunction, type Request, type Response } from 'express';

import { requestMeta } from './request';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Adopts a well-formed X-Request-ID (≤64 of `[A-Za-z0-9._-]`) and echoes it; anything else is
 * ignored, never an error: a bad correlation id must not cost the client its request.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const value = req.headers[REQUEST_ID_HEADER];
  if (isValidRequestId(value)) {
    requestMeta(req).reqId = value;
    res.setHeader('X-Request-ID', value);
  }
  next();
}
