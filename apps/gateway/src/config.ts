import {
  envBool,
  envBytes,
  envPort,
  envTenantHeaderSecret,
  envUrl,
  envUrlMap,
  parseEnv,
} from '@cloudillo/config';
import { z } from 'zod';

import { SERVICES, type BodyClass, type ServiceName } from './proxy/routes';

const schema = z.object({
  NATS_URL: envUrl(['nats']),
  TENANT_HEADER_SECRET: envTenantHeaderSecret,
  REDIS_URL: envUrl(['redis', 'rediss']),
  /** Per-IP rate limits (protocol §9), shared by replicas through Redis. */
  GATEWAY_RATE_LIMITS: envBool(true),
  /** A network (/24, /48) may send this many times what one address may. */
  GATEWAY_RATE_LIMIT_NETWORK_FACTOR: z.coerce.number().int().min(1).max(256).default(4),
  GATEWAY_RATE_LIMIT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('cloudillo:rl'),
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: envPort(8080),
  /** `service=url` pairs, e.g. `identity=http://127.0.0.1:8101`; routes of absent services are 404. */
  GATEWAY_UPSTREAMS: envUrlMap.refine(
    (map) => Object.keys(map).every((name) => (SERVICES as readonly string[]).includes(name)),
    `service names are ${SERVICES.join(', ')}`,
  ),
  GATEWAY_JSON_LIMIT: envBytes('1m'),
  GATEWAY_INBOX_LIMIT: envBytes('16m'),
  GATEWAY_STREAM_LIMIT: envBytes('100m'),
  /** Behind a trusted ingress, keep its X-Forwarded-*; at the edge, drop the client's. */
  GATEWAY_TRUST_PROXY: envBool(false),
  GATEWAY_PROXY_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Answers kept to give again to repeated requests (re-delivered inbox tokens); 0 turns it off. */
  GATEWAY_REPLAY_ENTRIES: z.coerce.number().int().min(0).default(20_000),
});

export interface GatewayConfig {
  natsUrl: string;
  /** Checks (services) or signs (gateway) the gateway's tenant header; unset: not used. */
  tenantHeaderSecret?: string | undefined;
  redisUrl: string;
  /** Undefined: no rate limits. */
  rateLimits?: { keyPrefix: string; networkFactor: number };
  http: { host: string; port: number };
  upstreams: Partial<Record<ServiceName, string>>;
  bodyLimits: Record<BodyClass, number>;
  trustProxy: boolean;
  proxyTimeoutMs: number;
  /** How many replayable answers the gateway keeps (`proxy/replay-cache.ts`); 0: none. */
  replayEntries: number;
}

export function loadGatewayConfig(
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  const e = parseEnv(schema, env);
  return {
    natsUrl: e.NATS_URL,
    tenantHeaderSecret: e.TENANT_HEADER_SECRET,
    redisUrl: e.REDIS_URL,
    ...(e.GATEWAY_RATE_LIMITS
      ? {
          rateLimits: {
            keyPrefix: e.GATEWAY_RATE_LIMIT_PREFIX,
            networkFactor: e.GATEWAY_RATE_LIMIT_NETWORK_FACTOR,
          },
        }
      : {}),
    http: { host: e.GATEWAY_HOST, port: e.GATEWAY_PORT },
    upstreams: e.GATEWAY_UPSTREAMS as Partial<Record<ServiceName, string>>,
    bodyLimits: {
      json: e.GATEWAY_JSON_LIMIT,
      inbox: e.GATEWAY_INBOX_LIMIT,
      stream: e.GATEWAY_STREAM_LIMIT,
    },
    trustProxy: e.GATEWAY_TRUST_PROXY,
    proxyTimeoutMs: e.GATEWAY_PROXY_TIMEOUT_MS,
    replayEntries: e.GATEWAY_REPLAY_ENTRIES,
  };
}
