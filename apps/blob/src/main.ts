import 'reflect-metadata';

import { setFlagsFromString } from 'node:v8';

import { Logger } from '@nestjs/common';

import { startBlob } from './blob-app';
import { loadBlobConfig } from './config';

// Prisma's query compiler is WebAssembly. Compiled by V8's baseline compiler only (no optimized
// second copy of its functions), the service holds ≈ 14–18 MiB less from its first query on, at
// no measurable cost per query (Prisma caches query plans): `npm run bench -- blob-transfer`, RSS
// after the warm-up 162 → 144 MiB, peak 202 → 191. Set before the first query compiles it (the
// flag is refused in NODE_OPTIONS).
setFlagsFromString('--liftoff-only');

async function main(): Promise<void> {
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
