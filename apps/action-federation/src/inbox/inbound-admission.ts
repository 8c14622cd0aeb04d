import { Inject, Injectable } from '@nestjs/common';
import { ActionTokenVerifier } from '@cloudillo/action-tokens';
import { ContractClient, getRelationship, type Relationship } from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import {
  type ActionTokenClaims,
  type ActionTypeDefinition,
  type ActionTypeRegistry,
  isAppError,
  splitActionType,
} from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

import { gateOf } from '../actions/flag-gates';
import { ActionsRepository } from '../actions/actions.repository';
import { ACTION_TYPES } from '../action-types';
import { type FederationConfig } from '../config';
import { Subscriptions } from '../conversations/subscriptions';
import { type VerifyJob } from '../delivery/jobs';
import { CLOCK, type Clock, FED_CONFIG } from '../tokens';
import { ProofOfWork } from './proof-of-work';
import { NotYetHeld, Refused } from './refused';
import { checkToken } from './token-checks';

const ACTION_ID = /^a1~/;

/** An action that passed its checks, with what they read, ready for its hooks. */
export interface Admitted {
  row: Action;
  claims: ActionTokenClaims;
  definition: ActionTypeDefinition | undefined;
  relation: Relationship;
  referenced: { parent?: Action; subject?: Action };
}

/** Relationships read once per batch and issuer; a hook that may change one forgets it. */
export type Relations = Map<string, Promise<Relationship>>;

/**
 * Whether an inbound token may be taken, before anything it does (protocol §2.7 steps 2–7, §2.8):
 * its shape, signature and time claims; the actions it names (held, or the related token that
 * came with it; one not arrived yet is waited for); flag gating; who may send what. Throws
 * `Refused` for what can never pass, `NotYetHeld` for what waits.
 */
@Injectable()
export class InboundAdmission {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly verifier: ActionTokenVerifier,
    private readonly rpc: ContractClient,
    private readonly pow: ProofOfWork,
    private readonly subscriptions: Subscriptions,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The token's shape, signature (against the issuer's key) and time claims. */
  async authenticate(job: VerifyJob, row: Action): Promise<ActionTokenClaims> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const { claims } = checkToken(row.token, job.tenant.idTag, this.registry, {
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
  async admit(
    job: VerifyJob,
    row: Action,
    claims: ActionTokenClaims,
    relations: Relations,
    related: Action | undefined,
  ): Promise<Admitted> {
    const definition = this.registry.lookup(claims.t)?.definition;
    const referenced = await this.referenced(job.tenant.tnId, claims, related);
    const relation = await this.relation(relations, job.tenant, claims.iss);
    if (relation.blocked) throw new Refused(`${claims.iss} is blocked here`);
    if (!row.preApproved) {
      const admission = await this.subscriptions.admits(job.tenant, claims, definition, referenced);
      if (admission.kind === 'refused') throw new Refused(admission.reason);
      if (admission.kind === 'not-applicable')
        this.checkSender(job.tenant, claims, definition, relation, referenced);
    }
    return { row, claims, definition, relation, referenced };
  }

  private relation(relations: Relations, tenant: TenantRef, peer: string): Promise<Relationship> {
    let found = relations.get(peer);
    if (!found) {
      found = this.rpc.request(getRelationship, { tenant: tenant.idTag, peer });
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
  async related(
    job: VerifyJob,
    claims: ActionTokenClaims,
    relations: Relations,
  ): Promise<Admitted | undefined> {
    if (!claims.sub || !ACTION_ID.test(claims.sub)) return undefined;
    const row = await this.actions.findWaitingRelated(job.tenant.tnId, claims.sub);
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
    tenant: TenantRef,
    claims: ActionTokenClaims,
    definition: ActionTypeDefinition | undefined,
    relation: { following: boolean; connected: string },
    referenced: { parent?: Action; subject?: Action },
  ): void {
    if (definition?.behaviour?.allowUnknown) return;
    if (relation.following || relation.connected === 'true') return;
    const { type } = splitActionType(claims.t);
    const { subject, parent } = referenced;
    const ownPublic = subject?.issuer === tenant.idTag && subject.visibility === 'P';
    if ((type === 'REACT' || type === 'REPOST') && ownPublic) return; // R1
    if (type === 'APRV' && subject?.issuer === tenant.idTag) return; // the approval of one's own post
    if (type === 'STAT' && parent) return; // R2 (the STAT hook checks the owner)
    throw new Refused(`${claims.iss} may not send ${claims.t} here (not followed or connected)`);
  }
}

function isRetraction(claims: ActionTokenClaims): boolean {
  return splitActionType(claims.t).subType === 'DEL';
}
