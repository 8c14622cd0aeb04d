import { type INestApplication } from '@nestjs/common';
import { startService } from '@cloudillo/http';
import { natsMicroservice } from '@cloudillo/messaging';

import { type AuthDeps, AppModule } from './app.module';
import { type AuthConfig } from './config';

/** Builds and starts the service: `/api/auth/*`, `/api/refs*` and the `access-token.*` NATS handlers. */
export function startAccessToken(
  config: AuthConfig,
  options: AuthDeps & { logger?: false } = {},
): Promise<INestApplication> {
  const { logger, ...deps } = options;
  return startService(AppModule.forRoot(config, deps), {
    http: config.http,
    microservice: natsMicroservice(config.natsUrl, 'access-token'),
    ...(logger === false ? { logger } : {}),
  });
}
