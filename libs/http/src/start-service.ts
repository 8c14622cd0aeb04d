import { type IncomingMessage, type Server } from 'node:http';

import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions } from '@nestjs/microservices';

import { configureHttpApp } from './configure-http-app';
import { type FastRoute, installFastRoutes } from './fast-routes';

export interface ServiceOptions {
  http: { host: string; port: number; jsonLimitBytes: number };
  /** Requests whose body the handler streams itself (see `configureHttpApp`). */
  streamedBody?: (req: IncomingMessage) => boolean;
  /** Hot routes answered before the framework (see `FastRoute`), built from the app's providers. */
  fastRoutes?: (app: INestApplication) => readonly FastRoute[];
  /** The service's NATS side (its request handlers), e.g. `natsMicroservice(url, name)`. */
  microservice?: MicroserviceOptions;
  logger?: false;
}

/**
 * Builds and starts a service: its HTTP routes with the shared edge concerns, and its NATS
 * handlers. A failed start (a wrong key-encryption key, a port in use) leaves no connection behind.
 */
export async function startService(
  module: DynamicModule,
  options: ServiceOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create(module, {
    bodyParser: false,
    abortOnError: false,
    ...(options.logger === false ? { logger: false } : {}),
  });
  configureHttpApp(app, {
    jsonLimitBytes: options.http.jsonLimitBytes,
    ...(options.streamedBody ? { streamedBody: options.streamedBody } : {}),
  });
  if (options.fastRoutes) installFastRoutes(app.getHttpServer() as Server, options.fastRoutes(app));
  if (options.microservice) app.connectMicroservice(options.microservice);
  try {
    await app.startAllMicroservices();
    await app.listen(options.http.port, options.http.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
