import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { redisConnection } from '@cloudillo/queues';
import { Queue } from 'bullmq';
import { LRUCache } from 'lru-cache';

import { type FederationConfig } from '../config';
import { FED_CONFIG } from '../tokens';
import {
  type DeliveryJob,
  type FanoutJob,
  type HistoryJob,
  type PublishJob,
  type StatJob,
  type SweepJob,
  type VerifyJob,
} from './jobs';

export const VERIFY_QUEUE = 'federation.verify';
export const DELIVER_QUEUE = 'federation.deliver';
export const STAT_QUEUE = 'federation.stat';
export const FANOUT_QUEUE = 'federation.fanout';
export const HISTORY_QUEUE = 'federation.history';
export const PUBLISH_QUEUE = 'federation.publish';

const BULK = 1000;
/** Entries kept in each queue's event stream (approximately: Redis trims whole nodes). */
const EVENTS_KEPT = 100;

/** The backoff type of deliveries: a custom strategy the delivery worker implements. */
export const DELIVERY_BACKOFF = 'capped-exponential';
/** The reference's longest wait between delivery attempts (protocol §2.6: 43 200 s). */
const MAX_DELIVERY_BACKOFF_MS = 43_200_000;

/** Delivery backoff (protocol §2.6): `first` doubling per attempt, at most 12 h, ±20 % jitter. */
export function deliveryBackoff(
  attemptsMade: number,
  first: number,
  random = Math.random(),
): number {
  const base = Math.min(first * 2 ** Math.max(0, attemptsMade - 1), MAX_DELIVERY_BACKOFF_MS);
  return Math.round(base * (0.8 + 0.4 * random));
}

/**
 * How every queue of the service is opened. Nothing here listens to BullMQ's event streams (no
 * QueueEvents): they are kept short rather than the default 10,000 entries a queue. Every `Queue`
 * opened on these names must say the same (tests, tools): the setting is stored with the queue.
 */
export function queueOptions(config: Pick<FederationConfig, 'redisUrl' | 'queuePrefix'>) {
  return {
    connection: redisConnection(config.redisUrl),
    prefix: config.queuePrefix,
    streams: { events: { maxLen: EVENTS_KEPT } },
  };
}

/**
 * The queues of the service (BullMQ on Redis, shared by replicas), producer side: verification
 * requests per tenant (the tokens wait in Postgres), outbound deliveries per (action, recipient),
 * and coalesced STAT broadcasts. Job ids are derived from what they are about, so a repeated
 * enqueue is one job. The workers that drain them are `FederationWorkers`.
 */
@Injectable()
export class FederationQueues implements OnModuleInit, OnApplicationShutdown {
  private verifyQueue?: Queue<VerifyJob | SweepJob>;
  private deliverQueue?: Queue<DeliveryJob>;
  private statQueue?: Queue<StatJob>;
  private fanoutQueue?: Queue<FanoutJob>;
  private historyQueue?: Queue<HistoryJob>;
  private publishQueue?: Queue<PublishJob>;
  private readonly lastVerifyWindow = new LRUCache<number, number>({ max: 10_000 });

  constructor(@Inject(FED_CONFIG) private readonly config: FederationConfig) {}

  onModuleInit(): void {
    const options = queueOptions(this.config);
    this.verifyQueue = new Queue<VerifyJob | SweepJob>(VERIFY_QUEUE, options);
    this.deliverQueue = new Queue<DeliveryJob>(DELIVER_QUEUE, options);
    this.statQueue = new Queue<StatJob>(STAT_QUEUE, options);
    this.fanoutQueue = new Queue<FanoutJob>(FANOUT_QUEUE, options);
    this.historyQueue = new Queue<HistoryJob>(HISTORY_QUEUE, options);
    this.publishQueue = new Queue<PublishJob>(PUBLISH_QUEUE, options);
  }

  /** A history sync with `peer` (one pending per tenant and peer), after `delayMs`. */
  async enqueueHistory(job: HistoryJob, delayMs: number): Promise<void> {
    await this.historyQueue?.add('history', job, {
      jobId: `history-${job.tenant.tnId}-${job.peer}`,
      delay: delayMs,
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  /**
   * A scheduled draft's publication at its time. One job per draft and time: a rescheduled draft
   * gets a new job, and the old one finds the draft no longer due then.
   */
  async schedulePublish(job: PublishJob, now: number): Promise<void> {
    const at = new Date(job.publishAt).getTime();
    await this.publishQueue?.add('publish', job, {
      jobId: `publish-${job.tenant.tnId}-${job.draftId.slice(1)}-${at}`,
      delay: Math.max(0, at - now),
      attempts: 10,
      // Longer than a crashed publisher's hold on the draft, so a retry can take it again.
      backoff: { type: 'exponential', delay: 60_000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  /** Durable once this resolves: the creating request answers after it. */
  async enqueueFanout(job: FanoutJob): Promise<void> {
    await this.fanoutQueue?.add('fanout', job, {
      jobId: `fanout-${job.tenant.tnId}-${job.actionId}`,
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: false,
    });
  }

  /**
   * The periodic look for tokens whose trigger was lost or whose retry is due (and fan-outs a
   * crash kept from the queue), and the rarer purge of what is kept only for a while.
   */
  async startSweeper(): Promise<void> {
    // Each run is a job of its own: gone once done, or they pile up (one a minute, for good).
    const opts = { removeOnComplete: true, removeOnFail: 100 };
    await this.verifyQueue?.upsertJobScheduler(
      'verify-sweep',
      { every: this.config.verify.sweepMs },
      { name: 'sweep', data: {}, opts },
    );
    await this.verifyQueue?.upsertJobScheduler(
      'retention-sweep',
      { every: this.config.retention.sweepMs },
      { name: 'retention', data: {}, opts },
    );
  }

  get deliveries(): Queue<DeliveryJob> {
    if (!this.deliverQueue) throw new Error('queues not started');
    return this.deliverQueue;
  }

  /**
   * Asks for the tenant's waiting tokens to be verified. Requests within one window share a job
   * that runs when the window has passed (so it sees every token stored in it); this process
   * sends each window's request once.
   */
  async requestVerification(job: VerifyJob, now: number): Promise<void> {
    const window = Math.floor(now / this.config.verify.batchMs);
    const { tnId } = job.tenant;
    if (this.lastVerifyWindow.get(tnId) === window) return;
    this.lastVerifyWindow.set(tnId, window);
    await this.scheduleVerification(job, this.config.verify.batchMs, `${window}`);
  }

  /** A verification at a later time (a retry after a temporary failure). */
  async scheduleVerification(job: VerifyJob, delayMs: number, tag: string): Promise<void> {
    await this.verifyQueue?.add('verify', job, {
      // (BullMQ refuses custom ids with colons unless they look like its own three-part ones.)
      jobId: `verify-${job.tenant.tnId}-${tag}`,
      delay: delayMs,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
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
            // Doubling from FED_DELIVERY_BACKOFF_MS up to 12 h, with jitter (`deliveryBackoff`).
            backoff: { type: DELIVERY_BACKOFF, delay: this.config.delivery.backoffMs },
            removeOnComplete: 1000,
            // Dead letters stay visible (and retryable by the admin), within bounds: the oldest
            // and those beyond the count go (each keeps ids only; the token stays in Postgres).
            removeOnFail: {
              age: Math.ceil(this.config.retention.deadLetterMaxAgeMs / 1000),
              count: this.config.retention.deadLetterMax,
            },
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
      jobId: `stat-${job.tenant.tnId}-${job.actionId}-${window}`,
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
    await this.fanoutQueue?.close();
    await this.historyQueue?.close();
    await this.publishQueue?.close();
  }
}
