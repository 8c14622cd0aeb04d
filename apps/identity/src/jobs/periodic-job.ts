import { type Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';

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
