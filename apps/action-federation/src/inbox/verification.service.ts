import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActionTokenVerifier } from '@cloudillo/action-tokens';
import {
  actionStored,
  ContractClient,
  getRelationship,
  type Relationship,
} from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import {
  type ActionTokenClaims,
  type ActionTypeDefinition,
  type ActionTypeRegistry,
  isAppError,
  splitActionType,
} from '@cloudillo/protocol';

import { actionEvent } from '../actions/action-event';
import { ActionsRepository } from '../actions/actions.repository';
import { type FederationConfig } from '../config';
import { Subscriptions } from '../conversations/subscriptions';
import { ACTION_TYPES } from '../action-types';
import { FederationQueues } from '../delivery/federation-queues';
import { type VerifyJob } from '../delivery/jobs';
import { type ReceivedStatus } from '../hooks/action-hook';
import { HookDispatcher } from '../hooks/hook-dispatcher';
import { CLOCK, type Clock, FED_CONFIG } from '../tokens';
import { AttachmentSync } from './attachment-sync';
import { HeldTokens } from './held-tokens';
import { ProofOfWork } from './proof-of-work';
import { NotYetHeld, Refused } from './refused';
import { checkToken } from './token-checks';

const ACTION_ID = /^a1~/;
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

/** An action that passed its checks, with what they read, ready for its hooks. */
interface Admitted {
  row: Action;
  claims: ActionTokenClaims;
  definition: ActionTypeDefinition | undefined;
  relation: Relationship;
  referenced: { parent?: Action; subject?: Action };
}

/** Relationships read once per batch and issuer; a hook that may change one forgets it. */
type Relations = Map<string, Promise<Relationship>>;

/**
 * The verifying half of the inbox (protocol §2.7 steps 2–13): signature against the issuer's
 * published key, time claims with bounded skew, the actions it refers to, flag gating, who may
 * send what (§2.8 with R1–R2), then the type's hooks and its final status, the dedup key
 * superseding older actions. Tokens are taken from Postgres in batches per tenant (one issuer's
 * in order, issuers in parallel); the common case — active, no dedup key — is stored in one
 * statement per batch. A temporary failure (an issuer that cannot be read) is tried again later
 * (60 s doubling to 1 h, then `F`); a refusal is final (`F`).
 */
@Injectable()
export class VerificationService {
  private readonly logger = new Logger(VerificationService.name);

  constructor(
    private readonly actions: ActionsRepository,
    private readonly verifier: ActionTokenVerifier,
    private readonly hooks: HookDispatcher,
    private readonly rpc: ContractClient,
    private readonly pow: ProofOfWork,
    private readonly queues: FederationQueues,
    private readonly subscriptions: Subscriptions,
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
      const rows = await this.actions.claimPending(job.tnId, BATCH, this.config.queueLockMs);
      if (rows.length === 0) return done;
      await this.verifyRows(job, rows);
      done += rows.length;
    }
  }

  /** The sweeper: tenants whose tokens wait without a trigger (lost, or a retry that is due). */
  async sweep(): Promise<void> {
    for (const { tnId, idTag } of await this.actions.tenantsWaiting(this.config.verify.batchMs)) {
      await this.queues.requestVerification({ tnId, tenant: idTag }, this.clock().getTime());
    }
  }

  /** One token, inline (`POST /api/inbox/sync`): its final status. */
  async verifyOne(job: VerifyJob, actionId: string): Promise<'A' | 'C' | 'N' | 'D' | 'F'> {
    const row = await this.actions.find(job.tnId, actionId);
    if (!row || row.status !== 'V') return row?.status === 'F' ? 'F' : 'D';
    const outcome = await this.outcome(job, row, new Map());
    if (outcome.kind !== 'verified') {
      await this.actions.fail(job.tnId, actionId, outcome.reason);
      return 'F';
    }
    await this.storeRelated(job, outcome);
    const final = await this.store(job, row, outcome);
    await this.actions.wakeWaitingOn(job.tnId, storedIds(row, outcome));
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
            await this.actions.fail(job.tnId, row.actionId, outcome.reason);
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
      job.tnId,
      plain.map((p) => p.row.actionId),
    );
    for (const { row, claims } of plain) await this.announce(job, row, claims, 'A');
    // Tokens that arrived before an action they name are tried now, not at their backoff.
    await this.actions.wakeWaitingOn(job.tnId, stored);
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
      job.tnId,
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
    const context = { tenant: job.tenant, tnId: job.tnId, actionId: row.actionId, claims };
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
    const delay = Math.min(this.config.verify.backoffMs * 2 ** (attempts - 1), 3_600_000);
    const notBefore = this.clock().getTime() + delay;
    await this.actions.retryLater(job.tnId, row.actionId, attempts, new Date(notBefore));
    await this.queues.scheduleVerification(job, delay, `r${notBefore}`);
    this.logger.warn(`will retry ${row.actionId} for ${job.tenant} in ${delay} ms: ${reason}`);
  }

  /** Refused for now: a re-delivery of the token (to this replica's inbox too) revives it. */
  private async failRetryable(job: VerifyJob, row: Action, reason: string): Promise<void> {
    await this.actions.fail(job.tnId, row.actionId, reason, { retryable: true });
    this.held.forget(job.tnId, row.actionId);
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
      this.config.verify.backoffMs * 2 ** Math.min(attempts - 1, 20),
      3_600_000,
      this.config.verify.holdMs - waited,
    );
    const notBefore = this.clock().getTime() + delay;
    await this.actions.retryLater(
      job.tnId,
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
      const claims = await this.authenticate(job, row);
      const related = row.preApproved ? undefined : await this.related(job, claims, relations);
      const admitted = await this.admit(job, row, claims, relations, related?.row);
      const relatedOutcome = related && (await this.decide(job, related, relations));
      const verified = await this.decide(job, admitted, relations);
      return related && relatedOutcome
        ? { ...verified, related: { row: related.row, outcome: relatedOutcome } }
        : verified;
    } catch (error) {
      if (error instanceof NotYetHeld)
        return { kind: 'waiting', reason: error.message, waitingFor: error.actionId };
      if (error instanceof Refused || (isAppError(error) && error.status < 500)) {
        this.logger.warn(`refused ${row.actionId} for ${job.tenant}: ${(error as Error).message}`);
        return { kind: 'refused', reason: (error as Error).message };
      }
      return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The token's shape, signature (against the issuer's key) and time claims. */
  private async authenticate(job: VerifyJob, row: Action): Promise<ActionTokenClaims> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const { claims } = checkToken(row.token, job.tenant, this.registry, {
      related: row.preApproved,
    });
    try {
      await this.verifier.verify(row.token, {
        now,
        clockSkewSeconds: this.config.clockSkewSeconds,
      });
    } catch (error) {
      if (!(isAppError(error) && error.code === 'E-AUTH-UNAUTH')) throw error;
      // A bad signature or key costs the sender proof of work (§2.8); mere expiry does not.
      const expired = claims.exp !== undefined && claims.exp < now;
      if (row.sender && !expired) await this.pow.bump(row.sender);
      throw new Refused(error.message);
    }
    if (claims.iat > now + this.config.clockSkewSeconds)
      throw new Refused('iat lies in the future');
    return claims;
  }

  /** Whether this tenant takes the action from its issuer: what it names, who sent it. */
  private async admit(
    job: VerifyJob,
    row: Action,
    claims: ActionTokenClaims,
    relations: Relations,
    related: Action | undefined,
  ): Promise<Admitted> {
    const definition = this.registry.lookup(claims.t)?.definition;
    const referenced = await this.referenced(job.tnId, claims, related);
    const relation = await this.relation(relations, job.tenant, claims.iss);
    if (relation.blocked) throw new Refused(`${claims.iss} is blocked here`);
    if (!row.preApproved) {
      const admission = await this.subscriptions.admits(
        job.tenant,
        job.tnId,
        claims,
        definition,
        referenced,
      );
      if (admission.kind === 'refused') throw new Refused(admission.reason);
      if (admission.kind === 'not-applicable')
        this.checkSender(job.tenant, claims, definition, relation, referenced);
    }
    return { row, claims, definition, relation, referenced };
  }

  /** What an admitted action does here: its retraction, attachments, hooks, final status. */
  private async decide(
    job: VerifyJob,
    admitted: Admitted,
    relations: Relations,
  ): Promise<Verified> {
    const { row, claims, definition, relation, referenced } = admitted;
    const context = { tenant: job.tenant, tnId: job.tnId, actionId: row.actionId, claims };
    // A retraction naming its original (same issuer, same type) takes it down here too.
    const original = referenced.subject;
    if (
      isRetraction(claims) &&
      original?.issuer === claims.iss &&
      original.type === splitActionType(claims.t).type
    ) {
      await this.actions.retract(job.tnId, original.actionId);
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

  private relation(relations: Relations, tenant: string, peer: string): Promise<Relationship> {
    let found = relations.get(peer);
    if (!found) {
      found = this.rpc.request(getRelationship, { tenant, peer });
      relations.set(peer, found);
    }
    return found;
  }

  /**
   * The related token this action names as its subject, if it came with one and this tenant does
   * not hold the subject yet: authenticated and admitted now (never alone: it waits for the
   * action that names it), stored only if the action is accepted. Its refusal refuses the
   * action; its wait or temporary failure holds both.
   */
  private async related(
    job: VerifyJob,
    claims: ActionTokenClaims,
    relations: Relations,
  ): Promise<Admitted | undefined> {
    if (!claims.sub || !ACTION_ID.test(claims.sub)) return undefined;
    const row = await this.actions.findWaitingRelated(job.tnId, claims.sub);
    if (!row) return undefined;
    try {
      const relatedClaims = await this.authenticate(job, row);
      return await this.admit(job, row, relatedClaims, relations, undefined);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      const reason = `its related ${claims.sub}: ${error.message}`;
      if (error instanceof NotYetHeld) throw new NotYetHeld(error.actionId, reason);
      if (error instanceof Refused || (isAppError(error) && error.status < 500))
        throw new Refused(reason);
      throw new Error(reason, { cause: error });
    }
  }

  /**
   * The parent and subject an action names must be actions this tenant holds (or the related
   * token that came with it), and their flags must allow it (protocol §2.7 step 7; never for
   * DEL). One that has not arrived yet is waited for (`NotYetHeld`).
   */
  private async referenced(
    tnId: number,
    claims: ActionTokenClaims,
    related: Action | undefined,
  ): Promise<{ parent?: Action; subject?: Action }> {
    const ids = [claims.p, claims.sub].filter((id): id is string => !!id && ACTION_ID.test(id));
    const held = await this.actions.findHeld(tnId, ids);
    // An unverified related token counts only through the action that names it.
    for (const [id, action] of held)
      if (action.status === 'V' && action.preApproved) held.delete(id);
    if (related) held.set(related.actionId, related);
    const parent = claims.p ? held.get(claims.p) : undefined;
    const subject = claims.sub ? held.get(claims.sub) : undefined;
    if (claims.p && !parent) throw new NotYetHeld(claims.p, `unknown parent ${claims.p}`);
    if (claims.sub && ACTION_ID.test(claims.sub) && !subject)
      throw new NotYetHeld(claims.sub, `unknown subject ${claims.sub}`);
    const gate = gateOf(this.registry.lookup(claims.t)?.definition, parent, subject);
    if (gate && !isRetraction(claims)) throw new Refused(gate);
    return { ...(parent ? { parent } : {}), ...(subject ? { subject } : {}) };
  }

  /**
   * Who may send what (protocol §2.8): the open types from anyone; the rest from those this
   * tenant follows or is connected to, except R1 (a REACT or REPOST of the receiver's own public
   * action), R2 (a STAT for an action the receiver holds) and an APRV of the receiver's own action.
   */
  private checkSender(
    tenant: string,
    claims: ActionTokenClaims,
    definition: ActionTypeDefinition | undefined,
    relation: { following: boolean; connected: string },
    referenced: { parent?: Action; subject?: Action },
  ): void {
    if (definition?.behaviour?.allowUnknown) return;
    if (relation.following || relation.connected === 'true') return;
    const { type } = splitActionType(claims.t);
    const { subject, parent } = referenced;
    const ownPublic = subject?.issuer === tenant && subject.visibility === 'P';
    if ((type === 'REACT' || type === 'REPOST') && ownPublic) return; // R1
    if (type === 'APRV' && subject?.issuer === tenant) return; // the approval of one's own post
    if (type === 'STAT' && parent) return; // R2 (the STAT hook checks the owner)
    throw new Refused(`${claims.iss} may not send ${claims.t} here (not followed or connected)`);
  }
}

/** The ids a verified outcome stores: the action, and the related token it named. */
function storedIds(row: Action, outcome: Verified): string[] {
  return outcome.related ? [outcome.related.row.actionId, row.actionId] : [row.actionId];
}

function isRetraction(claims: ActionTokenClaims): boolean {
  return splitActionType(claims.t).subType === 'DEL';
}

/** Why a parent's or subject's flags refuse the action (lowercase = disabled), if they do. */
export function gateOf(
  definition: ActionTypeDefinition | undefined,
  parent: Action | undefined,
  subject: Action | undefined,
): string | undefined {
  if (definition?.gatedBy === 'parent-comments' && parent?.flags?.includes('c'))
    return 'comments are disabled on the parent';
  if (definition?.gatedBy === 'subject-reactions' && subject?.flags?.includes('r'))
    return 'reactions are disabled on the subject';
  return undefined;
}
