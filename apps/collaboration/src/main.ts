import 'reflect-metadata';

import { assertSupportedNode } from '@cloudillo/config';
import { Logger } from '@nestjs/common';

import { startCollaboration } from './collaboration-app';
import { loadCollaborationConfig } from './config';

async function main(): Promise<void> {
  assertSupportedNode();
  const config = loadCollaborationConfig();
  const app = await startCollaboration(config);
  new Logger('collaboration').log(
    `ready on http://${config.http.host}:${(app.getHttpServer().address() as { port: number }).port}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
