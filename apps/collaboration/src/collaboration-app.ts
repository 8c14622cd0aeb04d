import { type Server } from 'node:http';

import { type INestApplication } from '@nestjs/common';
import { startService } from '@cloudillo/http';
import { natsMicroservice } from '@cloudillo/messaging';

import { AppModule } from './app.module';
import { type CollaborationConfig } from './config';
import { SocketServer } from './socket/socket-server';

/** Builds and starts the service: its WebSockets (`/ws/*`), health, and its NATS handlers. */
export async function startCollaboration(
  config: CollaborationConfig,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await startService(AppModule.forRoot(config), {
    http: config.http,
    microservice: natsMicroservice(config.natsUrl, 'collaboration'),
    ...(options.logger === false ? { logger: false } : {}),
  });
  app.get(SocketServer).attach(app.getHttpServer() as Server);
  return app;
}
