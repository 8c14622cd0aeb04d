import { Inject, Injectable } from '@nestjs/common';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { PeerDirectory } from '@cloudillo/protocol';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';

import { OutboundActions } from '../actions/outbound-actions';
import { storedClaims } from '../actions/stored-claims';
import { TenantDirectory } from '../actions/tenant-directory';
import { CLOCK, type Clock } from '../tokens';
import { CircuitBreaker } from './circuit-breaker';
import { type DeliveryJob } from './jobs';

/** Any 2xx counts (protocol §2.6); the body is not read beyond being JSON. */
const anyReply = z.unknown();
/** Answers that say "not now" rather than "never": retried like a network failure. */
const RETRYABLE_STATUSES = new Set([408, 425, 429]);
/** The most proof of work (trailing "A"s, 64^n signatures) we do for one delivery. */
const MAX_SENDER_WORK = 2;
/** Spreads the deliveries parked behind an open circuit over this long once it closes. */
const PARKED_SPREAD_MS = 1_000;

/**
 * Sends one action to one recipient's inbox (protocol §2.6) through the destination's circuit
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
    private readonly tenants: TenantDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The breaker's unit: the address deliveries go to (a whole deployment behind a peer map). */
  destination(recipient: string): string {
    const base = this.directory.baseUrl(recipient);
    return base ? new URL(base).origin : recipient;
  }

  async process(job: Job<DeliveryJob>, lockToken?: string): Promise<void> {
    const destination = this.destination(job.data.recipient);
    const now = this.clock().getTime();
    const retryAt = await this.breaker.admit(destination, now);
    if (retryAt > 0) {
      // Parked without spending an attempt: the destination is known to be down.
      await job.moveToDelayed(retryAt + Math.floor(Math.random() * PARKED_SPREAD_MS), lockToken);
      throw new DelayedError();
    }
    try {
      await this.deliver(job.data);
    } catch (error) {
      if (error instanceof PeerError && error.status === 428) {
        await this.deliverWithWork(job.data, error);
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
  private async deliverWithWork(job: DeliveryJob, error: PeerError): Promise<void> {
    const required = (error.body as { error?: { details?: { required?: unknown } } } | undefined)
      ?.error?.details?.required;
    if (typeof required !== 'number' || !Number.isInteger(required) || required < 1)
      throw new UnrecoverableError(
        `${job.recipient} asks for proof of work without saying how much`,
      );
    if (required > MAX_SENDER_WORK)
      throw new UnrecoverableError(`${job.recipient} asks for ${required} units of proof of work`);
    const tenant = storedClaims(job.token).iss;
    const tnId = await this.tenants.tnId(tenant);
    const reworked = await this.outbound.withWork(tnId, tenant, job.actionId, required);
    await this.deliver({ ...job, ...reworked });
  }

  async deliver(job: DeliveryJob): Promise<void> {
    await this.peers.postJson(
      job.recipient,
      '/api/inbox',
      { token: job.token, ...(job.related?.length ? { related: job.related } : {}) },
      anyReply,
    );
  }
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
