import 'reflect-metadata';

import { assertSupportedNode } from '@cloudillo/config';
import { Logger } from '@nestjs/common';

import { startBlob } from './blob-app';
import { loadBlobConfig } from './config';

async function main(): Promise<void> {
  assertSupportedNode();
  const config = loadBlobConfig();
  const app = await startBlob(config);
  new Logger('blob').log(
    `ready on http://${config.http.host}:${(app.getHttpServer().address() as { port: number }).port}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
