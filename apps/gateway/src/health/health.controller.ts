import { Controller, Get, Inject } from '@nestjs/common';
import { NATS_CONNECTION } from '@cloudillo/messaging';
import { UnavailableError } from '@cloudillo/protocol';
import { type NatsConnection } from 'nats';

import { type GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';

const PROBE_TIMEOUT_MS = 2_000;

@Controller()
export class HealthController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** Readiness: NATS is connected and every configured service says it is ready. */
  @Get('ready')
  async ready() {
    if (this.nats.isClosed()) throw new UnavailableError('NATS unavailable');
    const entries = Object.entries(this.config.upstreams);
    const results = await Promise.all(
      entries.map(async ([service, url]) => {
        try {
          const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
          return [service, res.ok] as const;
        } catch {
          return [service, false] as const;
        }
      }),
    );
    const down = results.filter(([, ok]) => !ok).map(([service]) => service);
    if (down.length > 0) throw new UnavailableError(`not ready: ${down.join(', ')}`);
    return { status: 'ready', services: Object.fromEntries(results) };
  }
}
