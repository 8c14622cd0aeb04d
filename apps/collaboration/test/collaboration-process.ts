import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { type CollaborationConfig } from '../src/config';

const ROOT = path.resolve(__dirname, '../../..');

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

/**
 * The collaboration service from its sources in a process of its own (compiled on load by
 * @swc-node/register), resolved once it reports ready: for tests that must kill it for real.
 */
export async function spawnCollaboration(config: CollaborationConfig): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(ROOT, 'apps/collaboration/src/main.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, ...collaborationEnv(config), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => output.includes('ready on') && resolve());
    child.once('exit', (code) => reject(new Error(`collaboration exited (${code}): ${output}`)));
  });
  return child;
}
