import { testInfra, uniqueName } from '@cloudillo/testing';

import { type GatewayConfig } from '../src/config';

/**
 * A gateway in front of a test identity: the identity's NATS server, rate-limit keys of its own,
 * loopback on a free port, the deployed body limits and a short upstream timeout.
 */
export function testGatewayConfig(
  identity: { nats: { url: string }; port: number },
  overrides: Partial<GatewayConfig> = {},
): GatewayConfig {
  return {
    natsUrl: identity.nats.url,
    redisUrl: testInfra().redisUrl,
    rateLimits: { keyPrefix: uniqueName('rl'), networkFactor: 4 },
    http: { host: '127.0.0.1', port: 0 },
    upstreams: { identity: `http://127.0.0.1:${identity.port}` },
    bodyLimits: { json: 64 * 1024, inbox: 16 * 1024 * 1024, stream: 100 * 1024 * 1024 },
    trustProxy: false,
    proxyTimeoutMs: 5_000,
    replayEntries: 1_000,
    ...overrides,
  };
}
