import { type INestApplication } from '@nestjs/common';
import { startService } from '@cloudillo/http';
import { natsMicroservice } from '@cloudillo/messaging';

import { AppModule, type IdentityDeps } from './app.module';
import { type IdentityConfig } from './config';

/** Builds and starts the service: HTTP routes and the `identity.*` NATS handlers. */
export function startIdentity(
  config: IdentityConfig,
  options: IdentityDeps & { logger?: false } = {},
): Promise<INestApplication> {
  const { logger, ...deps } = options;
  return startService(AppModule.forRoot(config, deps), {
    http: config.http,
    microservice: natsMicroservice(config.natsUrl, 'identity'),
    ...(logger === false ? { logger } : {}),
  });
}
