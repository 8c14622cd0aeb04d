import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp } from '@cloudillo/http';
import { natsMicroservice } from '@cloudillo/messaging';

import { type AuthDeps, AppModule } from './app.module';
import { type AuthConfig } from './config';

/** Builds and starts the service: `/api/auth/*` and the `auth.*` NATS handlers. */
export async function startAccessToken(
  config: AuthConfig,
  options: AuthDeps & { logger?: false } = {},
): Promise<INestApplication> {
  const { logger, ...deps } = options;
  const app = await NestFactory.create(AppModule.forRoot(config, deps), {
    bodyParser: false,
    abortOnError: false,
    ...(logger === false ? { logger: false } : {}),
  });
  configureHttpApp(app, { jsonLimitBytes: config.http.jsonLimitBytes });
  app.connectMicroservice(natsMicroservice(config.natsUrl, 'access-token'));
  try {
    await app.startAllMicroservices();
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
