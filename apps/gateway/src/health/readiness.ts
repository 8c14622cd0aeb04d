import { type Provider } from '@nestjs/common';
import { READINESS_CHECKS, type ReadinessCheck } from '@cloudillo/http';
import { NATS_CONNECTION } from '@cloudillo/messaging';
import { type NatsConnection } from 'nats';

import { type GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';

const PROBE_TIMEOUT_MS = 2_000;

/** The gateway is ready when NATS is connected and every configured service says it is ready. */
export const gatewayReadiness: Provider = {
  provide: READINESS_CHECKS,
  inject: [GATEWAY_CONFIG, NATS_CONNECTION],
  useFactory: (config: GatewayConfig, nats: NatsConnection): ReadinessCheck[] => [
    { name: 'nats', check: async () => !nats.isClosed() },
    ...Object.entries(config.upstreams).map(([service, url]) => ({
      name: service,
      check: async () =>
        (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).ok,
    })),
  ],
};
