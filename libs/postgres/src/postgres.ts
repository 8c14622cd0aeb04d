import { setFlagsFromString } from 'node:v8';

import { type PoolConfig } from 'pg';

export interface PostgresOptions {
  databaseUrl: string;
  /** Postgres schema holding the service's tables; tests use a fresh one per file. */
  schema?: string;
  poolSize?: number;
}

/** A pg pool's settings: the service's schema first on the search path. */
export function poolConfig(options: PostgresOptions, schema: string): PoolConfig {
  return {
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema}`,
  };
}

/**
 * Has V8 compile WebAssembly with its baseline compiler only; called before a Prisma client is
 * built. Prisma's query compiler is WebAssembly, and left to V8's defaults its functions are
 * compiled a second time by the optimizing compiler, which costs a service 40–100 MiB of RSS from
 * start-up on. Queries cost the same CPU without it (Prisma caches query plans). Measured on an
 * idle deployment: identity 253 → 154 MiB, access-token 238 → 154, action-federation 196 → 153;
 * blob after its warm-up 162 → 144; federation CPU per 3,000 inbound tokens 2.9–3.4 s either way,
 * identity-me req/s and tenant provisioning unchanged. It must precede the module's compilation
 * and is refused in NODE_OPTIONS, hence here; no other WebAssembly runs on a hot path in the
 * services that use Prisma (the gateway, which parses HTTP with undici's, has none).
 */
export function compileWasmAtBaseline(): void {
  setFlagsFromString('--liftoff-only');
}
