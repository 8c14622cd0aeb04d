import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { redisConnection } from '@cloudillo/queues';
import { type Job, Queue, Worker } from 'bullmq';

import { type FederationConfig } from '../config';
import { type VerifyJob, VerificationService } from '../inbox/verification.service';
import { FED_CONFIG } from '../tokens';
import { type DeliveryJob, DeliveryService } from './delivery.service';

export const VERIFY_QUEUE = 'federation.verify';
export const DELIVER_QUEUE = 'federation.deliver';

/**
 * The two durable queues of the service (BullMQ on Redis, shared by replicas): inbound tokens
 * waiting for verification, outbound deliveries per (action, recipient). Job ids are derived from
 * action ids, so a repeated enqueue of the same work is one job.
 */
@Injectable()
export class FederationQueues implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FederationQueues.name);
  private verifyQueue?: Queue<VerifyJob>;
  private deliverQueue?: Queue<DeliveryJob>;
  private workers: Worker[] = [];

  constructor(
    private readonly verification: VerificationService,
    private readonly delivery: DeliveryService,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
  ) {}

  onModuleInit(): void {
    const connection = redisConnection(this.config.redisUrl);
    const prefix = this.config.queuePrefix;
    this.verifyQueue = new Queue<VerifyJob>(VERIFY_QUEUE, { connection, prefix });
    this.deliverQueue = new Queue<DeliveryJob>(DELIVER_QUEUE, { connection, prefix });
    const verifier = new Worker<VerifyJob>(
      VERIFY_QUEUE,
      (job) => this.verification.verify(job.data),
      {
        connection,
        prefix,
        concurrency: 8,
      },
    );
    verifier.on('failed', (job: Job<VerifyJob> | undefined, error) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        this.verification.giveUp(job.data, error.message).catch(() => undefined);
      }
    });
    const deliverer = new Worker<DeliveryJob>(
      DELIVER_QUEUE,
      (job) => this.delivery.deliver(job.data),
      {
        connection,
        prefix,
        concurrency: 16,
      },
    );
    deliverer.on('failed', (job: Job<DeliveryJob> | undefined, error) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        this.logger.warn(
          `delivery of ${job.data.actionId} to ${job.data.recipient} dead-lettered: ${error.message}`,
        );
      }
    });
    this.workers = [verifier, deliverer];
  }

  /** Durable once this resolves: the inbox answers 201 only after it. */
  async enqueueVerify(job: VerifyJob): Promise<void> {
    await this.verifyQueue?.add('verify', job, {
      jobId: `verify:${job.tnId}:${job.actionId}`,
      attempts: this.config.verify.attempts,
      backoff: { type: 'exponential', delay: this.config.verify.backoffMs },
      removeOnComplete: 1000,
      removeOnFail: 10_000,
    });
  }

  async enqueueDelivery(job: DeliveryJob): Promise<void> {
    await this.deliverQueue?.add('deliver', job, {
      jobId: `delivery:${job.actionId}:${job.recipient}`,
      attempts: this.config.delivery.attempts,
      backoff: { type: 'exponential', delay: this.config.delivery.backoffMs, jitter: 0.2 },
      removeOnComplete: 1000,
      removeOnFail: false, // dead letters stay visible
    });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const worker of this.workers) await worker.close();
    await this.verifyQueue?.close();
    await this.deliverQueue?.close();
  }
}
