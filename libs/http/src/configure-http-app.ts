import { type INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';

import { EnvelopeInterceptor } from './envelope.interceptor';
import { HttpErrorFilter } from './http-error.filter';
import { requestIdMiddleware } from './request-id.middleware';

export interface HttpAppOptions {
  /** Largest JSON body accepted (bytes); bigger ones get 413 E-CORE-TOOLARGE. */
  jsonLimitBytes: number;
}

/**
 * The edge concerns every service shares: request id, body limits, envelope, error mapping.
 * The app must be created with `{ bodyParser: false }` so these limits are the only ones.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.use(requestIdMiddleware);
  express.useBodyParser('json', { limit: options.jsonLimitBytes });
  express.useGlobalFilters(new HttpErrorFilter());
  express.useGlobalInterceptors(new EnvelopeInterceptor(express.get(Reflector)));
  express.enableShutdownHooks();
}
