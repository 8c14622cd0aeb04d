import { type ConnectionOptions } from 'bullmq';

/**
 * BullMQ's connection settings from a `redis://` or `rediss://` URL. Workers block on Redis, so
 * requests must never give up on their own (`maxRetriesPerRequest: null`).
 */
export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
