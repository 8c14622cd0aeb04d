import { Controller, Get, Inject } from '@nestjs/common';
import { UnavailableError } from '@cloudillo/protocol';

import { Public } from './auth/auth-policy';

/** One dependency a service needs before it can serve: Postgres, NATS, an upstream… */
export interface ReadinessCheck {
  name: string;
  /** Resolves true when the dependency answers; false or a rejection means not ready. */
  check(): Promise<boolean>;
}

/** Each app provides its checks under this token. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/**
 * `GET /health` (liveness: the process answers) and `GET /ready` (every dependency answers):
 * public, no credentials read.
 */
@Controller()
@Public()
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const results = await Promise.all(
      this.checks.map(async ({ name, check }) => [name, await check().catch(() => false)] as const),
    );
    const down = results.filter(([, ok]) => !ok).map(([name]) => name);
    if (down.length > 0) throw new UnavailableError(`not ready: ${down.join(', ')}`);
    return { status: 'ready', checks: Object.fromEntries(results) };
  }
}
