import { type Server } from 'node:http';

import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp } from '@cloudillo/http';

import { AppModule } from './app.module';
import { type GatewayConfig } from './config';
import { GatewayEdge } from './proxy/gateway-edge';
import { TenantDirectory } from './proxy/tenant-directory';

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
  const edge = new GatewayEdge(config, app.get(TenantDirectory));
  // Registered before Nest's routes: everything but /health and /ready is proxied.
  app.use(edge.handle);
  configureHttpApp(app, { jsonLimitBytes: 1024 });
  const server = app.getHttpServer() as Server;
  server.on('upgrade', edge.upgrade);
  await app.listen(config.http.port, config.http.host);
  // Upstream keep-alive sockets would hold the services' own shutdown for seconds: end them first.
  const close = app.close.bind(app);
  app.close = async () => {
    edge.close();
    await close();
  };
  return app;
}
