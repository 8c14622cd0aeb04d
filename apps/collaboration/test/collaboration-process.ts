import { type ChildProcess } from 'node:child_process';

import { spawnService } from '@cloudillo/testing';

import { type CollaborationConfig } from '../src/config';

/** The environment `loadCollaborationConfig` reads back into `config`. */
export function collaborationEnv(config: CollaborationConfig): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    COLLAB_DB_SCHEMA: config.dbSchema,
    NATS_URL: config.natsUrl,
    ...(config.tenantHeaderSecret ? { TENANT_HEADER_SECRET: config.tenantHeaderSecret } : {}),
    COLLAB_HTTP_HOST: config.http.host,
    COLLAB_HTTP_PORT: String(config.http.port),
    COLLAB_MAX_FRAME: String(config.limits.frameBytes),
    COLLAB_MAX_DOCUMENT: String(config.limits.documentBytes),
    COLLAB_COMPACT_AFTER: String(config.compactAfter),
    COLLAB_PING_MS: String(config.pingMs),
  };
}

/** The collaboration service in a process of its own, for tests that must kill it for real. */
export async function spawnCollaboration(config: CollaborationConfig): Promise<ChildProcess> {
  return (await spawnService('collaboration', collaborationEnv(config))).child;
}
