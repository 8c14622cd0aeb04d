import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type ErrorCode, errorBody, isAppError } from '@cloudillo/protocol';
import { type Request, type Response } from 'express';

import { requestMeta } from './request';

/** Statuses raised by the framework itself (routing, body parsing) and the codes they mean. */
const FRAMEWORK_CODES: Record<number, ErrorCode> = {
  400: 'E-VAL-INVALID',
  401: 'E-AUTH-UNAUTH',
  403: 'E-AUTH-NOPERM',
  404: 'E-CORE-NOTFOUND',
  405: 'E-CORE-NOTFOUND',
  408: 'E-NET-TIMEOUT',
  413: 'E-CORE-TOOLARGE',
  415: 'E-CORE-UNSUPPORTED',
  429: 'E-RATE-LIMITED',
};

/** The status, code and message an error is answered with (5xx: nothing internal shown). */
export function describeError(error: unknown): {
  status: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
} {
  if (isAppError(error)) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      details: error.details,
    };
  }
  const status = frameworkStatus(error);
  if (status !== undefined && status < 500) {
    const message = status === 404 ? 'not found' : (error as Error).message;
    return { status, code: FRAMEWORK_CODES[status] ?? 'E-VAL-INVALID', message };
  }
  return { status: 500, code: 'E-SYS-INTERNAL', message: 'internal error' };
}

/** Nest's HttpException, or an http-errors error (body-parser) that is safe to expose. */
function frameworkStatus(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  const candidate = error as { expose?: unknown; status?: unknown } | null;
  if (candidate?.expose === true && typeof candidate.status === 'number') return candidate.status;
  return undefined;
}

/**
 * The one HTTP error mapping of every service: `{error:{code,message,details?}}` with the
 * request id, and 5xx details hidden from the client (and logged here, once).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const { status, code, message, details } = describeError(error);
    if (status >= 500) {
      this.logger.error(`${req.method} ${req.originalUrl} failed`, traceOf(error));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    const { reqId } = requestMeta(req);
    const body = errorBody(code, message, status >= 500 ? undefined : details);
    res.status(status).json(reqId === undefined ? body : { ...body, reqId });
  }
}

/** An error's stack, and its cause's (what a wrapping `AppError` was made from). */
function traceOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const trace = error.stack ?? String(error);
  return error.cause === undefined ? trace : `${trace}\ncaused by: ${traceOf(error.cause)}`;
}
