import { type IncomingMessage } from 'node:http';

import { type INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';

import { EnvelopeInterceptor } from './envelope.interceptor';
import { HttpErrorFilter } from './http-error.filter';
import { requestIdMiddleware } from './request-id.middleware';

export interface HttpAppOptions {
  /** Largest JSON body accepted (bytes); bigger ones get 413 E-CORE-TOOLARGE. */
  jsonLimitBytes: number;
  /** Requests whose body the handler streams itself (uploads), whatever their Content-Type. */
  streamedBody?: (req: IncomingMessage) => boolean;
}

/** A JSON body (`application/json` or `application/<x>+json`): what the JSON parsers accept. */
export function isJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type);
}

/**
 * The edge concerns every service shares: request id, body limits, envelope, error mapping.
 * The app must be created with `{ bodyParser: false }` so these limits are the only ones.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.use(requestIdMiddleware);
  const streamed = options.streamedBody;
  express.useBodyParser('json', {
    limit: options.jsonLimitBytes,
    type: (req: IncomingMessage) => isJson(req) && !streamed?.(req),
  });
  express.useGlobalFilters(new HttpErrorFilter());
  express.useGlobalInterceptors(new EnvelopeInterceptor(express.get(Reflector)));
  express.enableShutdownHooks();
}
