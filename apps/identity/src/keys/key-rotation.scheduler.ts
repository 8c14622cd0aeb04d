import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Queue, Worker } from 'bullmq';

import { type IdentityConfig } from '../config';
import { IDENTITY_CONFIG } from '../tokens';
import { KeyRotationService } from './key-rotation.service';

export const KEY_ROTATION_QUEUE = 'identity.rotate-keys';

function redisConnection(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * Runs the rotation pass on a BullMQ job scheduler: one run per interval across all replicas,
 * whichever worker takes it.
 */
@Injectable()
export class KeyRotationScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KeyRotationScheduler.name);
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    private readonly rotation: KeyRotationService,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const connection = redisConnection(this.config.redisUrl);
    const prefix = this.config.queuePrefix;
    this.queue = new Queue(KEY_ROTATION_QUEUE, { connection, prefix });
    this.worker = new Worker(KEY_ROTATION_QUEUE, () => this.rotation.rotateDue(), {
      connection,
      prefix,
    });
    this.worker.on('failed', (_job, error) =>
      this.logger.error(`key rotation pass failed: ${error.message}`),
    );
    await this.queue.upsertJobScheduler(
      'rotate-keys',
      { every: this.config.keyRotation.checkEveryMs },
      { name: 'rotate-keys', opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
