import { Inject, Injectable, Logger } from '@nestjs/common';
import { actionStored, ContractClient } from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import {
  type ActionTokenClaims,
  type ActionTypeRegistry,
  isAppError,
  splitActionType,
} from '@cloudillo/protocol';

import { actionEvent } from '../actions/action-event';
import { ActionsRepository } from '../actions/actions.repository';
import { type FederationConfig } from '../config';
import { ACTION_TYPES } from '../action-types';
import { FederationQueues } from '../delivery/federation-queues';
import { type VerifyJob } from '../delivery/jobs';
import { type ReceivedStatus } from '../hooks/action-hook';
import { HookDispatcher } from '../hooks/hook-dispatcher';
import { CLOCK, type Clock, FED_CONFIG } from '../tokens';
import { AttachmentSync } from './attachment-sync';
import { HeldTokens } from './held-tokens';
import { type Admitted, InboundAdmission, type Relations } from './inbound-admission';
import { NotYetHeld, Refused } from './refused';
import { verifyBackoffMs } from './verify-backoff';

const BATCH = 200;

type Verified = {
  kind: 'verified';
  status: ReceivedStatus;
  dedupKey?: string;
  claims: ActionTokenClaims;
  /** The related token the action named, verified with it: stored first, only if this is. */
  related?: { row: Action; outcome: Verified };
};

type Outcome =
  | Verified
  | { kind: 'refused'; reason: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'waiting'; reason: string; waitingFor: string };

/**
 * The verifying half of the inbox (protocol §2.7 steps 2–13): what `InboundAdmission` admits
 * (signature, time claims, the actions it names, flag gating, who may send what), then the
 * type's hooks and its final status, the dedup key superseding older actions; tokens waiting
 * for what they name are held, and woken when it arrives. Tokens are taken from Postgres in batches per tenant (one issuer's
 * in order, issuers in parallel); the common case — active, no dedup key — is stored in one
 * statement per batch. A temporary failure (an issuer that cannot be read) is tried again later
 * (60 s doubling to 1 h, then `F`); a refusal is final (`F`).
 */
@Injectable()
export class VerificationService {
  private readonly logger = new Logger(VerificationService.name);

  constructor(
    private readonly actions: ActionsRepository,
    private readonly admission: InboundAdmission,
    private readonly hooks: HookDispatcher,
    private readonly rpc: ContractClient,
    private readonly queues: FederationQueues,
    private readonly attachments: AttachmentSync,
    private readonly held: HeldTokens,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Verifies everything the tenant's inbox holds, batch after batch. */
  async verifyPending(job: VerifyJob): Promise<number> {
    let done = 0;
    for (;;) {
      const rows = await this.actions.claimPending(job.tenant.tnId, BATCH, this.config.queueLockMs);
      if (rows.length === 0) return done;
      await this.verifyRows(job, rows);
      done += rows.length;
    }
  }

  /** The sweeper: tenants whose tokens wait without a trigger (lost, or a retry that is due). */
  async sweep(): Promise<void> {
    for (const tenant of await this.actions.tenantsWaiting(this.config.verify.batchMs)) {
      await this.queues.requestVerification({ tenant }, this.clock().getTime());
    }
  }

  /** One token, inline (`POST /api/inbox/sync`): its final status. */
  async verifyOne(job: VerifyJob, actionId: string): Promise<'A' | 'C' | 'N' | 'D' | 'F'> {
    const row = await this.actions.find(job.tenant.tnId, actionId);
    if (!row || row.status !== 'V') return row?.status === 'F' ? 'F' : 'D';
    const outcome = await this.outcome(job, row, new Map());
    if (outcome.kind !== 'verified') {
      await this.actions.fail(job.tenant.tnId, actionId, outcome.reason);
      return 'F';
    }
    await this.storeRelated(job, outcome);
    const final = await this.store(job, row, outcome);
    await this.actions.wakeWaitingOn(job.tenant.tnId, storedIds(row, outcome));
    return final;
  }

  private async verifyRows(job: VerifyJob, rows: Action[]): Promise<void> {
    const byIssuer = new Map<string, Action[]>();
    for (const row of rows) byIssuer.set(row.issuer, [...(byIssuer.get(row.issuer) ?? []), row]);
    const relations: Relations = new Map();
    const plain: { row: Action; claims: ActionTokenClaims }[] = [];
    const stored: string[] = [];
    await Promise.all(
      [...byIssuer.values()].map(async (ofIssuer) => {
        for (const row of ofIssuer) {
          const outcome = await this.outcome(job, row, relations);
          if (outcome.kind === 'refused') {
            await this.actions.fail(job.tenant.tnId, row.actionId, outcome.reason);
          } else if (outcome.kind === 'retry') {
            await this.retry(job, row, outcome.reason);
          } else if (outcome.kind === 'waiting') {
            await this.wait(job, row, outcome.reason, outcome.waitingFor);
          } else {
            stored.push(...storedIds(row, outcome));
            await this.storeRelated(job, outcome);
            if (outcome.status === 'A' && !outcome.dedupKey)
              plain.push({ row, claims: outcome.claims });
            else await this.store(job, row, outcome);
          }
        }
      }),
    );
    // The common case in one statement: active, superseding nothing.
    await this.actions.activateAll(
      job.tenant.tnId,
      plain.map((p) => p.row.actionId),
    );
    for (const { row, claims } of plain) await this.announce(job, row, claims, 'A');
    // Tokens that arrived before an action they name are tried now, not at their backoff.
    await this.actions.wakeWaitingOn(job.tenant.tnId, stored);
  }

  /** A related token is stored only now that the action that named it was accepted. */
  private async storeRelated(job: VerifyJob, outcome: Verified): Promise<void> {
    if (outcome.related) await this.store(job, outcome.related.row, outcome.related.outcome);
  }

  private async store(
    job: VerifyJob,
    row: Action,
    outcome: Extract<Outcome, { kind: 'verified' }>,
  ): Promise<'A' | 'C' | 'N' | 'D'> {
    const final = await this.actions.activate(
      job.tenant.tnId,
      row.actionId,
      outcome.dedupKey,
      outcome.status,
    );
    await this.announce(job, row, outcome.claims, final);
    return final;
  }

  private async announce(
    job: VerifyJob,
    row: Action,
    claims: ActionTokenClaims,
    status: 'A' | 'C' | 'N' | 'D',
  ): Promise<void> {
    const context = { tenant: job.tenant, actionId: row.actionId, claims };
    if (status === 'A') await this.hooks.onActivated(context);
    // A notice for clients and other services: no need to wait for the server's receipt.
    await this.rpc.publish(actionStored, actionEvent(job.tenant, row, status), { flush: false });
  }

  private async retry(job: VerifyJob, row: Action, reason: string): Promise<void> {
    const attempts = row.attempts + 1;
    if (attempts >= this.config.verify.attempts) {
      await this.failRetryable(job, row, `gave up: ${reason}`);
      return;
    }
    const delay = verifyBackoffMs(this.config.verify.backoffMs, attempts);
    const notBefore = this.clock().getTime() + delay;
    await this.actions.retryLater(job.tenant.tnId, row.actionId, attempts, new Date(notBefore));
    await this.queues.scheduleVerification(job, delay, `r${notBefore}`);
    this.logger.warn(
      `will retry ${row.actionId} for ${job.tenant.idTag} in ${delay} ms: ${reason}`,
    );
  }

  /** Refused for now: a re-delivery of the token (to this replica's inbox too) revives it. */
  private async failRetryable(job: VerifyJob, row: Action, reason: string): Promise<void> {
    await this.actions.fail(job.tenant.tnId, row.actionId, reason, { retryable: true });
    this.held.forget(job.tenant.tnId, row.actionId);
  }

  /**
   * A token whose parent or subject has not arrived (deliveries overtake each other, history sync
   * comes in pieces): held as `V` and tried again with the verification backoff, or as soon as
   * the action it names arrives (`wakeWaitingOn`), for at most the hold time; refused after it,
   * as a failure a re-delivery may revive.
   */
  private async wait(
    job: VerifyJob,
    row: Action,
    reason: string,
    waitingFor: string,
  ): Promise<void> {
    const waited = this.clock().getTime() - row.receivedAt.getTime();
    if (waited >= this.config.verify.holdMs) {
      await this.failRetryable(job, row, `${reason} (held ${waited} ms)`);
      return;
    }
    const attempts = row.attempts + 1;
    const delay = Math.min(
      verifyBackoffMs(this.config.verify.backoffMs, attempts),
      this.config.verify.holdMs - waited,
    );
    const notBefore = this.clock().getTime() + delay;
    await this.actions.retryLater(
      job.tenant.tnId,
      row.actionId,
      attempts,
      new Date(notBefore),
      waitingFor,
    );
    await this.queues.scheduleVerification(job, delay, `r${notBefore}`);
  }

  /**
   * Everything short of storing: what this token becomes, and why. A related token the action
   * names is authenticated and admitted after the action's own signature and before the action
   * relies on it, and reaches its hooks only once the action passed its own checks.
   */
  private async outcome(job: VerifyJob, row: Action, relations: Relations): Promise<Outcome> {
    try {
      const claims = await this.admission.authenticate(job, row);
      const related = row.preApproved
        ? undefined
        : await this.admission.related(job, claims, relations);
      const admitted = await this.admission.admit(job, row, claims, relations, related?.row);
      const relatedOutcome = related && (await this.decide(job, related, relations));
      const verified = await this.decide(job, admitted, relations);
      return related && relatedOutcome
        ? { ...verified, related: { row: related.row, outcome: relatedOutcome } }
        : verified;
    } catch (error) {
      if (error instanceof NotYetHeld)
        return { kind: 'waiting', reason: error.message, waitingFor: error.actionId };
      if (error instanceof Refused || (isAppError(error) && error.status < 500)) {
        this.logger.warn(
          `refused ${row.actionId} for ${job.tenant.idTag}: ${(error as Error).message}`,
        );
        return { kind: 'refused', reason: (error as Error).message };
      }
      return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** What an admitted action does here: its retraction, attachments, hooks, final status. */
  private async decide(
    job: VerifyJob,
    admitted: Admitted,
    relations: Relations,
  ): Promise<Verified> {
    const { row, claims, definition, relation, referenced } = admitted;
    const context = { tenant: job.tenant, actionId: row.actionId, claims };
    // A retraction naming its original (same issuer, same type) takes it down here too.
    const original = referenced.subject;
    if (
      isRetraction(claims) &&
      original?.issuer === claims.iss &&
      original.type === splitActionType(claims.t).type
    ) {
      await this.actions.retract(job.tenant.tnId, original.actionId);
    }
    if (this.hooks.changesRelationships(claims.t)) relations.delete(claims.iss);
    await this.attachments.fetch(job.tenant, claims);
    const chosen = await this.hooks.onReceive({ ...context, relation, ...referenced });
    const status =
      chosen === 'A' && definition?.behaviour?.requiresAcceptance && !isRetraction(claims)
        ? 'C'
        : chosen;
    const dedupKey = this.registry.dedupKey(claims);
    return { kind: 'verified', status, claims, ...(dedupKey ? { dedupKey } : {}) };
  }
}

/** The ids a verified outcome stores: the action, and the related token it named. */
function storedIds(row: Action, outcome: Verified): string[] {
  return outcome.related ? [outcome.related.row.actionId, row.actionId] : [row.actionId];
}

function isRetraction(claims: ActionTokenClaims): boolean {
  return splitActionType(claims.t).subType === 'DEL';
}
