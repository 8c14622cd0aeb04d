import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActionTokenVerifier } from '@cloudillo/action-tokens';
import { actionStored, ContractClient, getRelationship } from '@cloudillo/contracts';
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
import { ACTION_TYPES } from '../action-types';
import { type VerifyJob } from '../delivery/jobs';
import { HookDispatcher } from '../hooks/hook-dispatcher';
import { CLOCK, type Clock, FED_CONFIG } from '../tokens';
import { ProofOfWork } from './proof-of-work';
import { Refused } from './refused';
import { checkToken } from './token-checks';

const ACTION_ID = /^a1~/;

/**
 * The verifying half of the inbox (protocol §2.7 steps 2–13): signature against the issuer's
 * published key, time claims with bounded skew, the actions it refers to, flag gating, who may
 * send what (§2.8 with R1–R2), then the type's hooks and its final status, the dedup key
 * superseding older actions. Temporary failures (an issuer that cannot be read) are retried by
 * the queue; a refusal is final (`F`).
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
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async verify(job: VerifyJob): Promise<'A' | 'C' | 'N' | 'D' | 'F' | 'gone'> {
    const row = await this.actions.find(job.tnId, job.actionId);
    if (!row || row.status !== 'V') return 'gone'; // already decided (a re-delivered job)
    const now = Math.floor(this.clock().getTime() / 1000);
    try {
      const { claims, dedupKey } = checkToken(row.token, job.tenant, this.registry, {
        related: job.preApproved === true,
      });
      try {
        await this.verifier.verify(row.token, { now });
      } catch (error) {
        if (!(isAppError(error) && error.code === 'E-AUTH-UNAUTH')) throw error;
        // A bad signature or key costs the sender proof of work (§2.8); mere expiry does not.
        const expired = claims.exp !== undefined && claims.exp < now;
        if (job.from && !expired) await this.pow.bump(job.from);
        throw new Refused(error.message);
      }
      if (claims.iat > now + this.config.clockSkewSeconds)
        throw new Refused('iat lies in the future');
      if (claims.exp !== undefined && claims.exp + this.config.clockSkewSeconds < now) {
        throw new Refused('the action has expired');
      }
      const definition = this.registry.lookup(claims.t)?.definition;
      const referenced = await this.referenced(job.tnId, claims);
      const relation = await this.rpc.request(getRelationship, {
        tenant: job.tenant,
        peer: claims.iss,
      });
      if (relation.blocked) throw new Refused(`${claims.iss} is blocked here`);
      if (!job.preApproved) this.checkSender(job.tenant, claims, definition, relation, referenced);
      const context = { tenant: job.tenant, tnId: job.tnId, actionId: job.actionId, claims };
      const chosen = await this.hooks.onReceive({ ...context, relation });
      const status =
        chosen === 'A' && definition?.behaviour?.requiresAcceptance && !isRetraction(claims)
          ? 'C'
          : chosen;
      const final = await this.actions.activate(job.tnId, job.actionId, dedupKey, status);
      if (final === 'A') await this.hooks.onActivated(context);
      await this.rpc.publish(actionStored, actionEvent(job.tenant, row, final));
      return final;
    } catch (error) {
      if (error instanceof Refused || (isAppError(error) && error.status < 500)) {
        await this.actions.fail(job.tnId, job.actionId, error.message);
        this.logger.warn(`refused ${job.actionId} for ${job.tenant}: ${error.message}`);
        return 'F';
      }
      throw error; // the queue retries, then gives up with F
    }
  }

  async giveUp(job: VerifyJob, reason: string): Promise<void> {
    await this.actions.fail(job.tnId, job.actionId, `gave up: ${reason}`);
  }

  /**
   * The parent and subject an action names must be actions this tenant holds (related tokens
   * arrive first), and their flags must allow it (protocol §2.7 step 7; never for DEL).
   */
  private async referenced(
    tnId: number,
    claims: ActionTokenClaims,
  ): Promise<{ parent?: Action; subject?: Action }> {
    const ids = [claims.p, claims.sub].filter((id): id is string => !!id && ACTION_ID.test(id));
    const held = await this.actions.findHeld(tnId, ids);
    const parent = claims.p ? held.get(claims.p) : undefined;
    const subject = claims.sub ? held.get(claims.sub) : undefined;
    if (claims.p && !parent) throw new Refused(`unknown parent ${claims.p}`);
    if (claims.sub && ACTION_ID.test(claims.sub) && !subject)
      throw new Refused(`unknown subject ${claims.sub}`);
    const gate = gateOf(this.registry.lookup(claims.t)?.definition, parent, subject);
    if (gate && !isRetraction(claims)) throw new Refused(gate);
    return { ...(parent ? { parent } : {}), ...(subject ? { subject } : {}) };
  }

  /**
   * Who may send what (protocol §2.8): the open types from anyone; the rest from those this
   * tenant follows or is connected to, except R1 (a REACT or REPOST of the receiver's own public
   * action) and R2 (a STAT for an action the receiver holds).
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
    if (type === 'STAT' && parent) return; // R2 (the STAT hook checks the owner)
    throw new Refused(`${claims.iss} may not send ${claims.t} here (not followed or connected)`);
  }
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
