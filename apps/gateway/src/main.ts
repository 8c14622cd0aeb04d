import 'reflect-metadata';

import { assertSupportedNode } from '@cloudillo/config';
import { Logger } from '@nestjs/common';

import { loadGatewayConfig } from './config';
import { startGateway } from './gateway-app';

async function main(): Promise<void> {
  assertSupportedNode();
  const config = loadGatewayConfig();
  const app = await startGateway(config);
  const { port } = app.getHttpServer().address() as { port: number };
  new Logger('gateway').log(`ready on http://${config.http.host}:${port}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
