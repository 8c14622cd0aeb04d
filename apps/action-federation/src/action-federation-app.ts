import { type INestApplication } from '@nestjs/common';
import { RequestTenants, startService } from '@cloudillo/http';
import { natsMicroservice } from '@cloudillo/messaging';

import { AppModule, type FederationDeps } from './app.module';
import { type FederationConfig } from './config';
import { inboxRoute } from './inbox/inbox.route';
import { InboxService } from './inbox/inbox.service';

/** Builds and starts the service: `/api/actions*`, `/api/inbox`, and its queues. */
export function startActionFederation(
  config: FederationConfig,
  options: FederationDeps & { logger?: false } = {},
): Promise<INestApplication> {
  const { logger, ...deps } = options;
  return startService(AppModule.forRoot(config, deps), {
    http: config.http,
    fastRoutes: (app) => [
      inboxRoute(
        app.get(InboxService),
        app.get(RequestTenants),
        config.http.jsonLimitBytes,
        config.verify,
      ),
    ],
    microservice: natsMicroservice(config.natsUrl, 'action-federation'),
    ...(logger === false ? { logger } : {}),
  });
}
