import 'reflect-metadata';

import { assertSupportedNode } from '@cloudillo/config';
import { Logger } from '@nestjs/common';

import { loadIdentityConfig } from './config';
import { startIdentity } from './identity-app';

async function main(): Promise<void> {
  assertSupportedNode();
  const config = loadIdentityConfig();
  const app = await startIdentity(config);
  new Logger('identity').log(
    `ready on http://${config.http.host}:${(app.getHttpServer().address() as { port: number }).port}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
