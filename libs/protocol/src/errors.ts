/**
 * The machine-readable error codes of the API (protocol §0) with their HTTP statuses. The last
 * four are ours: the reference has no code for them, and a client needs one to branch on.
 */
export const ERROR_STATUS = {
  'E-VAL-INVALID': 400,
  'E-AUTH-UNAUTH': 401,
  'E-AUTH-NOPERM': 403,
  'E-CORE-NOTFOUND': 404,
  'E-NET-TIMEOUT': 408,
  'E-CORE-CONFLICT': 409,
  'E-CORE-GONE': 410,
  'E-POW-REQUIRED': 428,
  'E-SYS-UNAVAIL': 503,
  'E-CORE-TOOLARGE': 413,
  'E-CORE-UNSUPPORTED': 415,
  'E-RATE-LIMITED': 429,
  'E-SYS-INTERNAL': 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

export interface AppErrorOptions {
  status?: number;
  details?: unknown;
  cause?: unknown;
}

/** The one error type that crosses layers and transports; `code` is what clients and tests read. */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly status: number;
  readonly details: unknown;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status ?? ERROR_STATUS[code];
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  constructor(message: string, details?: unknown) {
    super('E-VAL-INVALID', message, { details });
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(message = 'not found') {
    super('E-CORE-NOTFOUND', message);
  }
}

export class UnauthorizedError extends AppError {
  override readonly name = 'UnauthorizedError';
  constructor(message = 'authentication required') {
    super('E-AUTH-UNAUTH', message);
  }
}

export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  constructor(message = 'not allowed') {
    super('E-AUTH-NOPERM', message);
  }
}

export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  constructor(message: string) {
    super('E-CORE-CONFLICT', message);
  }
}

export class UnavailableError extends AppError {
  override readonly name = 'UnavailableError';
  constructor(message: string, cause?: unknown) {
    super('E-SYS-UNAVAIL', message, { cause });
  }
}

/**
 * A shape check instead of `instanceof`: errors rebuilt from another transport, or from another
 * copy of this module, are still recognised.
 */
export function isAppError(error: unknown): error is AppError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; status?: unknown; message?: unknown };
  return (
    isErrorCode(candidate.code) &&
    typeof candidate.status === 'number' &&
    typeof candidate.message === 'string'
  );
}
