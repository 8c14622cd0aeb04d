import { type Server } from 'node:http';

import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp } from '@cloudillo/http';

import { AppModule } from './app.module';
import { type GatewayConfig } from './config';
import { GatewayEdge } from './proxy/gateway-edge';

/** Builds and starts the gateway: the edge proxy in front of Nest's own /health and /ready. */
export async function startGateway(
  config: GatewayConfig,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    bodyParser: false,
    abortOnError: false,
    ...(options.logger === false ? { logger: false } : {}),
  });
  const edge = app.get(GatewayEdge);
  // Registered before Nest's routes: everything but /health and /ready is proxied.
  app.use(edge.handle);
  configureHttpApp(app, { jsonLimitBytes: 1024 });
  const server = app.getHttpServer() as Server;
  server.on('upgrade', edge.upgrade);
  await app.listen(config.http.port, config.http.host);
  return app;
}
