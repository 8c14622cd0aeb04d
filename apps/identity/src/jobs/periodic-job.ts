import { type Logger } from '@nestjs/common';
import { redisConnection } from '@cloudillo/queues';
import { Queue, Worker } from 'bullmq';

/**
 * A pass that runs once per interval across all replicas, whichever worker takes it: a BullMQ
 * job scheduler on its own queue.
 */
export class PeriodicJob {
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    private readonly name: string,
    private readonly everyMs: number,
    private readonly run: () => Promise<unknown>,
    private readonly redis: { url: string; prefix: string },
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const connection = redisConnection(this.redis.url);
    const prefix = this.redis.prefix;
    this.queue = new Queue(this.name, { connection, prefix });
    this.worker = new Worker(this.name, () => this.run(), { connection, prefix });
    this.worker.on('failed', (_job, error) =>
      this.logger.error(`${this.name} failed: ${error.message}`),
    );
    await this.queue.upsertJobScheduler(
      this.name,
      { every: this.everyMs },
      { name: this.name, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
