import { type JobsOptions, Queue, Worker } from 'bullmq';

import { redisConnection } from './redis-connection';

export interface JobQueueOptions<T> {
  redisUrl: string;
  /** Key prefix in Redis (one per deployment or test). */
  prefix: string;
  /** Run the worker in this process (false: a replica that only enqueues). */
  worker: boolean;
  concurrency?: number;
  /** Told of a job whose attempt failed (it may be retried). */
  onFailed?: (data: T | undefined, error: Error) => void;
}

/**
 * One BullMQ queue and, where this process works it, its worker: the lifecycle every service's
 * background job shares (create on start, close both on shutdown).
 */
export class JobQueue<T> {
  private readonly queue: Queue<T>;
  private readonly worker?: Worker<T>;

  constructor(name: string, options: JobQueueOptions<T>, process: (data: T) => Promise<void>) {
    const connection = redisConnection(options.redisUrl);
    const prefix = options.prefix;
    this.queue = new Queue<T>(name, { connection, prefix });
    if (!options.worker) return;
    this.worker = new Worker<T>(name, (job) => process(job.data), {
      connection,
      prefix,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    });
    const onFailed = options.onFailed;
    if (onFailed) this.worker.on('failed', (job, error) => onFailed(job?.data, error));
  }

  async add(name: string, data: T, options: JobsOptions): Promise<void> {
    // BullMQ's name/data generics are stricter than one queue of one job type needs.
    await (this.queue as Queue).add(name, data, options);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
