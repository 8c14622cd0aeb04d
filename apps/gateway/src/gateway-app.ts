import { type Server } from 'node:http';

import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp, takeRequestsFirst } from '@cloudillo/http';

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
  configureHttpApp(app, { jsonLimitBytes: 1024 });
  await app.init();
  // Proxied requests go straight to the edge: Express (and its router) sees only /health and
  // /ready. Its per-request work was a third of the gateway's CPU on small API calls.
  const server = app.getHttpServer() as Server;
  takeRequestsFirst(server, edge.take);
  server.on('upgrade', edge.upgrade);
  await app.listen(config.http.port, config.http.host);
  return app;
}
