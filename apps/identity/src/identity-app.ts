import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp } from '@cloudillo/http';
import { natsMicroservice } from '@cloudillo/messaging';

import { AppModule, type IdentityDeps } from './app.module';
import { type IdentityConfig } from './config';

/** Builds and starts the service: HTTP routes and the `identity.*` NATS handlers. */
export async function startIdentity(
  config: IdentityConfig,
  options: IdentityDeps & { logger?: false } = {},
): Promise<INestApplication> {
  const { logger, ...deps } = options;
  const app = await NestFactory.create(AppModule.forRoot(config, deps), {
    bodyParser: false,
    abortOnError: false,
    ...(logger === false ? { logger: false } : {}),
  });
  configureHttpApp(app, { jsonLimitBytes: config.http.jsonLimitBytes });
  app.connectMicroservice(natsMicroservice(config.natsUrl, 'identity'));
  try {
    await app.startAllMicroservices();
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    // A failed start (e.g. the wrong key-encryption key) must not leave connections behind.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
