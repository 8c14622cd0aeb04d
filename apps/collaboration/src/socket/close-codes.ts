import { isAppError } from '@cloudillo/protocol';

/**
 * WebSocket close codes of the reference (protocol §6): after a refused upgrade the socket is
 * accepted, then closed with one of these, so the client learns why (4401: refresh the token and
 * reconnect).
 */
export const CLOSE = {
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  typeMismatch: 4409,
  serverError: 4500,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

/** Why a socket is refused or closed, with the code the client receives. */
export class CloseError extends Error {
  override readonly name = 'CloseError';
  constructor(
    readonly code: CloseCode,
    message: string,
  ) {
    super(message);
  }
}

/** The close code for what an upgrade check threw: the guard's errors map one to one. */
export function closeCodeFor(error: unknown): CloseCode {
  if (error instanceof CloseError) return error.code;
  if (!isAppError(error)) return CLOSE.serverError;
  switch (error.status) {
    case 400:
      return CLOSE.badRequest;
    case 401:
      return CLOSE.unauthorized;
    case 403:
      return CLOSE.forbidden;
    case 404:
      return CLOSE.notFound;
    case 409:
      return CLOSE.typeMismatch;
    default:
      return CLOSE.serverError;
  }
}

/** Close reasons are at most 123 bytes (RFC 6455 §5.5). */
export function closeReason(message: string): string {
  const bytes = Buffer.from(message);
  return bytes.length <= 123 ? message : bytes.subarray(0, 120).toString() + '…';
}
