import { envBytes, envPort, envTenantHeaderSecret, envUrl, parseEnv } from '@cloudillo/config';
import { z } from 'zod';

const schema = z.object({
  DATABASE_URL: envUrl(['postgresql', 'postgres']),
  NATS_URL: envUrl(['nats']),
  TENANT_HEADER_SECRET: envTenantHeaderSecret,
  COLLAB_HTTP_HOST: z.string().default('127.0.0.1'),
  COLLAB_HTTP_PORT: envPort(8105),
  COLLAB_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('collab'),
  /** One WebSocket frame at most (protocol §6: 4 MiB); a larger one closes the socket (1009). */
  COLLAB_MAX_FRAME: envBytes('4m'),
  /** A document's stored state at most (protocol §6: messages 16 MiB); updates beyond are refused. */
  COLLAB_MAX_DOCUMENT: envBytes('16m'),
  /** Stored updates of one document that trigger compaction while it is open. */
  COLLAB_COMPACT_AFTER: z.coerce.number().int().min(10).default(500),
  /** How often the server pings each socket (protocol §6: 15 s); two missed pongs close it. */
  COLLAB_PING_MS: z.coerce.number().int().min(100).default(15_000),
});

export interface CollaborationConfig {
  databaseUrl: string;
  dbSchema: string;
  natsUrl: string;
  /** Checks the gateway's tenant header; unset: the tenant is resolved from the Host. */
  tenantHeaderSecret?: string | undefined;
  http: { host: string; port: number; jsonLimitBytes: number };
  limits: { frameBytes: number; documentBytes: number };
  compactAfter: number;
  pingMs: number;
}

export function loadCollaborationConfig(
  env: Record<string, string | undefined> = process.env,
): CollaborationConfig {
  const e = parseEnv(schema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.COLLAB_DB_SCHEMA,
    natsUrl: e.NATS_URL,
    tenantHeaderSecret: e.TENANT_HEADER_SECRET,
    http: { host: e.COLLAB_HTTP_HOST, port: e.COLLAB_HTTP_PORT, jsonLimitBytes: 1024 * 1024 },
    limits: { frameBytes: e.COLLAB_MAX_FRAME, documentBytes: e.COLLAB_MAX_DOCUMENT },
    compactAfter: e.COLLAB_COMPACT_AFTER,
    pingMs: e.COLLAB_PING_MS,
  };
}
