import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type CursorPagination, okEnvelope } from '@cloudillo/protocol';
import { type Request, type Response } from 'express';
import { map, type Observable } from 'rxjs';

import { RAW_RESPONSE } from './raw-response';
import { requestMeta } from './request';

/** A list result with its cursor; the interceptor lifts the cursor beside `data`. */
export class Page<T> {
  constructor(
    readonly items: T[],
    readonly cursorPagination: CursorPagination,
  ) {}
}

/** Wraps every JSON result in `{data, time, reqId?}` (protocol §0). */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (
      context.getType() !== 'http' ||
      this.reflector.get<boolean>(RAW_RESPONSE, context.getHandler())
    ) {
      return next.handle();
    }
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    return next.handle().pipe(
      map((data: unknown) => {
        if (res.headersSent) return data;
        const { reqId } = requestMeta(req);
        const meta = reqId === undefined ? {} : { reqId };
        if (data instanceof Page) {
          return okEnvelope(data.items, { ...meta, cursorPagination: data.cursorPagination });
        }
        return okEnvelope(data === undefined ? null : data, meta);
      }),
    );
  }
}
