import 'reflect-metadata';

import { assertSupportedNode } from '@cloudillo/config';
import { Logger } from '@nestjs/common';

import { startAccessToken } from './access-token-app';
import { loadAuthConfig } from './config';

async function main(): Promise<void> {
  assertSupportedNode();
  const config = loadAuthConfig();
  const app = await startAccessToken(config);
  new Logger('access-token').log(
    `ready on http://${config.http.host}:${(app.getHttpServer().address() as { port: number }).port}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
