import { z } from 'zod';

import { type ErrorCode, ERROR_CODES } from './errors';

export interface CursorPagination {
  nextCursor: string | null;
  hasMore: boolean;
  count?: number;
}

/** The success envelope of every API response (protocol §0). `time` is ISO-8601 in UTC. */
export interface ApiEnvelope<T> {
  data: T;
  cursorPagination?: CursorPagination;
  time: string;
  reqId?: string;
}

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function okEnvelope<T>(
  data: T,
  meta: { reqId?: string; now?: Date; cursorPagination?: CursorPagination } = {},
): ApiEnvelope<T> {
  const body: ApiEnvelope<T> = { data, time: (meta.now ?? new Date()).toISOString() };
  if (meta.cursorPagination) body.cursorPagination = meta.cursorPagination;
  // The client rejects `null` where a field is optional: absent keys stay absent.
  if (meta.reqId !== undefined) body.reqId = meta.reqId;
  return body;
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ApiErrorBody {
  const error: ApiErrorBody['error'] = { code, message };
  if (details !== undefined) error.details = details;
  return { error };
}

export const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

/** `X-Request-ID` values we echo (protocol §0); anything else is ignored, never an error. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}
