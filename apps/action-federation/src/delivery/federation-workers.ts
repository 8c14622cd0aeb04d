import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { redisConnection } from '@cloudillo/queues';
import { TenantResolver } from '@cloudillo/tenancy';
import { type Job, Worker } from 'bullmq';

import { type FederationConfig } from '../config';
import { DraftsService } from '../actions/drafts.service';
import { OutboundActions } from '../actions/outbound-actions';
import { HistorySync } from '../history/history-sync';
import { InteractionStats } from '../hooks/interaction-stats';
import { RefusedRetention } from '../inbox/refused-retention';
import { VerificationService } from '../inbox/verification.service';
import { FED_CONFIG } from '../tokens';
import { DeliveryService } from './delivery.service';
import {
  DELIVER_QUEUE,
  deliveryBackoff,
  FANOUT_QUEUE,
  FederationQueues,
  HISTORY_QUEUE,
  PUBLISH_QUEUE,
  STAT_QUEUE,
  VERIFY_QUEUE,
} from './federation-queues';
import {
  type DeliveryJob,
  type FanoutJob,
  type HistoryJob,
  type PublishJob,
  type StatJob,
  type SweepJob,
  type VerifyJob,
} from './jobs';
import { currentJob, type QueuedJob } from './queued-job';

/**
 * The workers draining the federation queues. A replica may run without them
 * (`FED_WORKERS=false`: HTTP only). A worker that dies mid-job (SIGKILL) loses its lock; the job
 * is taken up again by another worker after `queueLockMs`, so nothing is lost, and ids make the
 * repeat harmless.
 */
@Injectable()
export class FederationWorkers implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FederationWorkers.name);
  private workers: Worker[] = [];

  constructor(
    private readonly verification: VerificationService,
    private readonly delivery: DeliveryService,
    private readonly stats: InteractionStats,
    private readonly queues: FederationQueues,
    private readonly outbound: OutboundActions,
    private readonly history: HistorySync,
    private readonly drafts: DraftsService,
    private readonly resolver: TenantResolver,
    private readonly retention: RefusedRetention,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.workers) return;
    const connection = redisConnection(this.config.redisUrl);
    const common = {
      connection,
      prefix: this.config.queuePrefix,
      lockDuration: this.config.queueLockMs,
      stalledInterval: Math.max(500, Math.floor(this.config.queueLockMs / 2)),
      // A job whose worker died is taken up again, not failed; a kill loop is still bounded.
      maxStalledCount: 10,
    };
    const verifier = new Worker<QueuedJob<VerifyJob> | SweepJob>(
      VERIFY_QUEUE,
      async (job) => {
        if (job.name === 'sweep') {
          await this.verification.sweep();
          await this.outbound.requeueLostFanouts();
        } else if (job.name === 'retention') await this.retention.sweep();
        else
          await this.unlessPurged(job as Job<QueuedJob<VerifyJob>>, (data) =>
            this.verification.verifyPending(data),
          );
      },
      { ...common, concurrency: this.config.verify.concurrency },
    );
    verifier.on('failed', (job: Job<QueuedJob<VerifyJob> | SweepJob> | undefined, error) => {
      const about =
        job?.name === 'verify' ? currentJob(job.data as QueuedJob<VerifyJob>).tenant.idTag : '?';
      this.logger.warn(`verification for ${about} failed: ${error.message}`);
    });
    const deliverer = new Worker<DeliveryJob>(
      DELIVER_QUEUE,
      (job, token) => this.delivery.process(job, token),
      {
        ...common,
        concurrency: this.config.delivery.concurrency,
        settings: {
          backoffStrategy: (attemptsMade: number) =>
            deliveryBackoff(attemptsMade, this.config.delivery.backoffMs),
        },
      },
    );
    deliverer.on('failed', (job: Job<DeliveryJob> | undefined, error) => {
      if (
        job &&
        (job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError')
      ) {
        this.logger.warn(
          `delivery of ${job.data.actionId} to ${job.data.recipient} dead-lettered: ${error.message}`,
        );
      }
    });
    const stat = new Worker<QueuedJob<StatJob>>(
      STAT_QUEUE,
      (job) => this.unlessPurged(job, (data) => this.stats.broadcast(data)),
      { ...common, concurrency: 4 },
    );
    const fanout = new Worker<QueuedJob<FanoutJob>>(
      FANOUT_QUEUE,
      (job) =>
        this.unlessPurged(job, async (data) =>
          this.delivery.sendAll(await this.outbound.deliveriesOf(data)),
        ),
      { ...common, concurrency: 4 },
    );
    const history = new Worker<QueuedJob<HistoryJob>>(
      HISTORY_QUEUE,
      (job) => this.unlessPurged(job, (data) => this.history.sync(data)),
      { ...common, concurrency: 4 },
    );
    const publisher = new Worker<QueuedJob<PublishJob>>(
      PUBLISH_QUEUE,
      (job) => this.unlessPurged(job, (data) => this.drafts.publishScheduled(data)),
      { ...common, concurrency: 4 },
    );
    this.workers = [verifier, deliverer, stat, fanout, history, publisher];
    for (const worker of this.workers) {
      worker.on('error', (error) => this.logger.error(`queue worker: ${error.message}`));
    }
    await this.queues.startSweeper();
  }

  /**
   * A job queued for a tenant purged since (or whose id_tag went to a new tenant) is dropped:
   * completed without its work.
   */
  private async unlessPurged<J extends VerifyJob | StatJob | FanoutJob | HistoryJob | PublishJob>(
    job: Job<QueuedJob<J>>,
    work: (data: J) => Promise<unknown>,
  ): Promise<void> {
    const data = currentJob(job.data);
    if (await this.resolver.isLive(data.tenant)) await work(data);
    else this.logger.log(`${job.queueName} job of purged tenant ${data.tenant.idTag} dropped`);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const worker of this.workers) await worker.close();
  }
}
