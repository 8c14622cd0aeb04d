import { Inject, Injectable } from '@nestjs/common';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { PeerDirectory } from '@cloudillo/protocol';
import { TenantResolver, type TenantRef } from '@cloudillo/tenancy';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';

import { OutboundActions } from '../actions/outbound-actions';
import { storedClaims } from '../actions/stored-claims';
import { CLOCK, type Clock } from '../tokens';
import { CircuitBreaker } from './circuit-breaker';
import { FederationQueues } from './federation-queues';
import { type Delivery, type DeliveryJob, deliveryJob } from './jobs';

/** Any 2xx counts (protocol §2.6); the body is not read beyond being JSON. */
const anyReply = z.unknown();
/** Answers that say "not now" rather than "never": retried like a network failure. */
const RETRYABLE_STATUSES = new Set([408, 425, 429]);
/** The most proof of work (trailing "A"s, 64^n signatures) we do for one delivery. */
const MAX_SENDER_WORK = 2;
/** First attempts of a fan-out in flight at once. */
const FIRST_ATTEMPTS_IN_FLIGHT = 32;
/** Spreads the deliveries parked behind an open circuit over this long once it closes. */
const PARKED_SPREAD_MS = 1_000;

/**
 * Sends actions to recipients' inboxes (protocol §2.6): a fan-out's first attempts directly, then
 * one delivery job per recipient that needs more, through the destination's circuit
 * breaker. A refusal (4xx) is final: the job is dead-lettered with the peer's reason, not retried
 * 50 times. Network failures and 5xx are thrown for the queue's backoff and counted by the breaker.
 */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly peers: PeerClient,
    private readonly directory: PeerDirectory,
    private readonly breaker: CircuitBreaker,
    private readonly outbound: OutboundActions,
    private readonly resolver: TenantResolver,
    private readonly queues: FederationQueues,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The fan-out (a broadcast can be thousands of deliveries): a first attempt of each, straight
   * from here, to destinations with a clean record; only what does not land goes to the queue,
   * with its backoff, breaker and dead letters. Each destination is tried with one delivery
   * first, so a dead one costs one request; one that fails later gets the rest of its deliveries
   * queued untried. A refusal is dead-lettered without another request. Deliveries are
   * at-least-once either way: should this process die mid-way, the fan-out job runs again, and
   * receivers take a known token as a no-op.
   */
  async sendAll(deliveries: Delivery[]): Promise<void> {
    const byDestination = new Map<string, Delivery[]>();
    for (const job of deliveries) {
      const destination = this.destination(job.recipient);
      byDestination.set(destination, [...(byDestination.get(destination) ?? []), job]);
    }
    const now = this.clock().getTime();
    const queued: DeliveryJob[] = [];
    const rest: { destination: string; job: Delivery }[] = [];
    const failing = new Set<string>();
    await inParallel([...byDestination], async ([destination, [first, ...others]]) => {
      if (!first) return;
      if ((await this.breaker.admit(destination, now)) !== -1) {
        // Failures on record: the queue and its breaker decide.
        queued.push(...[first, ...others].map(deliveryJob));
        return;
      }
      if ((await this.attempt(first, queued)) === 'failed') queued.push(...others.map(deliveryJob));
      else rest.push(...others.map((job) => ({ destination, job })));
    });
    await inParallel(rest, async ({ destination, job }) => {
      if (failing.has(destination)) queued.push(deliveryJob(job));
      else if ((await this.attempt(job, queued)) === 'failed') failing.add(destination);
    });
    await this.queues.enqueueDeliveries(queued);
  }

  /** One first attempt; what did not land is added to `queued` (a refusal marked as such). */
  private async attempt(
    job: Delivery,
    queued: DeliveryJob[],
  ): Promise<'landed' | 'refused' | 'failed'> {
    try {
      try {
        await this.deliver(job);
      } catch (error) {
        if (!(error instanceof PeerError && error.status === 428)) throw error;
        await this.deliverWithWork(job, error);
      }
      return 'landed';
    } catch (error) {
      if (error instanceof PeerError && isRefusal(error)) {
        queued.push({ ...deliveryJob(job), refused: error.message });
        return 'refused';
      }
      queued.push(deliveryJob(job));
      return 'failed';
    }
  }

  /** The breaker's unit: the address deliveries go to (a whole deployment behind a peer map). */
  destination(recipient: string): string {
    const base = this.directory.baseUrl(recipient);
    return base ? new URL(base).origin : recipient;
  }

  async process(job: Job<DeliveryJob>, lockToken?: string): Promise<void> {
    // Refused at the fan-out's first attempt: a dead letter, without asking again.
    if (job.data.refused)
      throw new UnrecoverableError(`${job.data.recipient} refused: ${job.data.refused}`);
    const delivery = await this.outbound.load(job.data);
    // The action is gone (its tenant purged, or it was retracted and deleted): nothing to send.
    if (!delivery) return;
    // Its sender (always the tenant `tnId` here: only its own tokens leave) was purged meanwhile.
    if (!(await this.resolver.isLive(senderOf(delivery)))) return;
    const destination = this.destination(job.data.recipient);
    const now = this.clock().getTime();
    const retryAt = await this.breaker.admit(destination, now);
    if (retryAt > 0) {
      // Parked without spending an attempt: the destination is known to be down.
      await job.moveToDelayed(retryAt + Math.floor(Math.random() * PARKED_SPREAD_MS), lockToken);
      throw new DelayedError();
    }
    try {
      await this.deliver(delivery);
    } catch (error) {
      if (error instanceof PeerError && error.status === 428) {
        await this.deliverWithWork(delivery, error);
        if (retryAt === 0) await this.breaker.succeeded(destination);
        return;
      }
      if (error instanceof PeerError && isRefusal(error)) {
        if (retryAt === 0) await this.breaker.succeeded(destination); // it answered: alive
        throw new UnrecoverableError(`${job.data.recipient} refused: ${error.message}`);
      }
      await this.breaker.failed(destination, now);
      throw error;
    }
    // A clean record needs no reset: one Redis round trip less per delivery.
    if (retryAt === 0) await this.breaker.succeeded(destination);
  }

  /**
   * The receiver asks for proof of work (a CONN from an address it has counted against, §2.8):
   * the request is signed again with the work and sent once more. More work than we are
   * willing to do is a refusal.
   */
  private async deliverWithWork(job: Delivery, error: PeerError): Promise<void> {
    const required = (error.body as { error?: { details?: { required?: unknown } } } | undefined)
      ?.error?.details?.required;
    if (typeof required !== 'number' || !Number.isInteger(required) || required < 1)
      throw new UnrecoverableError(
        `${job.recipient} asks for proof of work without saying how much`,
      );
    if (required > MAX_SENDER_WORK)
      throw new UnrecoverableError(`${job.recipient} asks for ${required} units of proof of work`);
    const reworked = await this.outbound.withWork(senderOf(job), job.actionId, required);
    await this.deliver({ ...job, ...reworked });
  }

  async deliver(job: Delivery): Promise<void> {
    await this.peers.postJson(
      job.recipient,
      '/api/inbox',
      { token: job.token, ...(job.related?.length ? { related: job.related } : {}) },
      anyReply,
    );
  }
}

/** The tenant a delivery is from: its token's issuer, whose row it is. */
function senderOf(delivery: Delivery): TenantRef {
  return { idTag: storedClaims(delivery.token).iss, tnId: delivery.tnId };
}

/** Runs `task` over `items`, FIRST_ATTEMPTS_IN_FLIGHT at a time. */
async function inParallel<T>(items: T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(
    Array.from({ length: Math.min(FIRST_ATTEMPTS_IN_FLIGHT, items.length) }, worker),
  );
}

function isRefusal(error: PeerError): boolean {
  if (error.kind === 'invalid-peer' || error.kind === 'blocked') return true;
  return (
    error.kind === 'status' &&
    error.status !== undefined &&
    error.status >= 400 &&
    error.status < 500 &&
    !RETRYABLE_STATUSES.has(error.status)
  );
}
