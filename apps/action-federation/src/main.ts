import 'reflect-metadata';

import { assertSupportedNode } from '@cloudillo/config';
import { Logger } from '@nestjs/common';

import { startActionFederation } from './action-federation-app';
import { loadFederationConfig } from './config';

async function main(): Promise<void> {
  assertSupportedNode();
  const config = loadFederationConfig();
  const app = await startActionFederation(config);
  new Logger('action-federation').log(
    `ready on http://${config.http.host}:${(app.getHttpServer().address() as { port: number }).port}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
