import { Controller, Get, Inject } from '@nestjs/common';
import { type IdentityDb } from '@cloudillo/db-identity';
import { NATS_CONNECTION } from '@cloudillo/messaging';
import { UnavailableError } from '@cloudillo/protocol';
import { type NatsConnection } from 'nats';

import { IDENTITY_DB } from '../tokens';

@Controller()
export class HealthController {
  constructor(
    @Inject(IDENTITY_DB) private readonly db: IdentityDb,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** Readiness: Postgres answers and NATS is connected. */
  @Get('ready')
  async ready() {
    try {
      await this.db.$queryRaw`select 1`;
    } catch (error) {
      throw new UnavailableError('database unavailable', error);
    }
    if (this.nats.isClosed()) throw new UnavailableError('NATS unavailable');
    return { status: 'ready' };
  }
}
