import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { redisConnection } from '@cloudillo/queues';
import { Queue } from 'bullmq';

import { type FederationConfig } from '../config';
import { FED_CONFIG } from '../tokens';
import { type DeliveryJob, type StatJob, type VerifyJob } from './jobs';

export const VERIFY_QUEUE = 'federation.verify';
export const DELIVER_QUEUE = 'federation.deliver';
export const STAT_QUEUE = 'federation.stat';

const BULK = 1000;

/**
 * The durable queues of the service (BullMQ on Redis, shared by replicas), producer side: inbound
 * tokens waiting for verification, outbound deliveries per (action, recipient), and coalesced
 * STAT broadcasts. Job ids are derived from action ids, so a repeated enqueue is one job. The
 * workers that drain them are `FederationWorkers`.
 */
@Injectable()
export class FederationQueues implements OnModuleInit, OnApplicationShutdown {
  private verifyQueue?: Queue<VerifyJob>;
  private deliverQueue?: Queue<DeliveryJob>;
  private statQueue?: Queue<StatJob>;

  constructor(@Inject(FED_CONFIG) private readonly config: FederationConfig) {}

  onModuleInit(): void {
    const connection = redisConnection(this.config.redisUrl);
    const prefix = this.config.queuePrefix;
    this.verifyQueue = new Queue<VerifyJob>(VERIFY_QUEUE, { connection, prefix });
    this.deliverQueue = new Queue<DeliveryJob>(DELIVER_QUEUE, { connection, prefix });
    this.statQueue = new Queue<StatJob>(STAT_QUEUE, { connection, prefix });
  }

  get deliveries(): Queue<DeliveryJob> {
    if (!this.deliverQueue) throw new Error('queues not started');
    return this.deliverQueue;
  }

  /** Durable once this resolves: the inbox answers 201 only after it. */
  async enqueueVerify(jobs: VerifyJob[]): Promise<void> {
    await this.verifyQueue?.addBulk(
      jobs.map((job) => ({
        name: 'verify',
        data: job,
        opts: {
          jobId: `verify:${job.tnId}:${job.actionId}`,
          attempts: this.config.verify.attempts,
          backoff: { type: 'exponential', delay: this.config.verify.backoffMs },
          removeOnComplete: 1000,
          removeOnFail: 10_000,
        },
      })),
    );
  }

  async enqueueDeliveries(jobs: DeliveryJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += BULK) {
      await this.deliverQueue?.addBulk(
        jobs.slice(i, i + BULK).map((job) => ({
          name: 'deliver',
          data: job,
          opts: {
            jobId: `delivery:${job.actionId}:${job.recipient}`,
            attempts: this.config.delivery.attempts,
            backoff: { type: 'exponential', delay: this.config.delivery.backoffMs, jitter: 0.2 },
            removeOnComplete: 1000,
            removeOnFail: false, // dead letters stay visible (and retryable by the admin)
          },
        })),
      );
    }
  }

  /**
   * One STAT per action and time window: interactions within a window share a job, which counts
   * when it runs (a window later), so none is missed and bursts cost one broadcast.
   */
  async enqueueStat(job: StatJob, now: number): Promise<void> {
    const window = Math.floor(now / this.config.statDelayMs);
    await this.statQueue?.add('stat', job, {
      // (BullMQ takes at most two colons in a custom id.)
      jobId: `stat:${job.tnId}:${job.actionId}@${window}`,
      delay: this.config.statDelayMs,
      attempts: 5,
      backoff: { type: 'exponential', delay: this.config.statDelayMs },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.verifyQueue?.close();
    await this.deliverQueue?.close();
    await this.statQueue?.close();
  }
}
