import { Inject, Injectable } from '@nestjs/common';
import { actionStored, ContractClient, signWithTenantKey } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { type Action } from '@cloudillo/db-federation';
import {
  type ActionTokenClaims,
  type ActionTypeRegistry,
  ConflictError,
  ValidationError,
} from '@cloudillo/protocol';

import { ACTION_TYPES } from '../action-types';
import { Subscriptions } from '../conversations/subscriptions';
import { FederationQueues } from '../delivery/federation-queues';
import { Recipients } from '../delivery/recipients';
import { ActionsRepository } from './actions.repository';
import { type DeliveryJob, type FanoutJob } from '../delivery/jobs';
import { actionEvent } from './action-event';
import { DraftsRepository } from './drafts.repository';
import { storedClaims } from './stored-claims';

export interface Outbound {
  tenant: string;
  tnId: number;
  /** The claims to sign, without `iss` and `k` (identity adds them). */
  claims: Record<string, unknown>;
  /** Recipients beyond those the type implies (a STAT's commenters and reactors). */
  extraRecipients?: readonly string[];
  /** A claimed draft (`@<n>`) that becomes this action: its row is kept, its id echoed in the event as `tempId` (protocol §2.2). */
  draftId?: string;
}

/** How long a just-signed own action is kept from the verifier before it is activated. */
const OWN_ACTION_HOLD_MS = 60_000;

/**
 * The one way this tenant's actions leave: signed by identity with the tenant's newest key,
 * stored under the hash of the token, announced on NATS, and handed to a fan-out job that queues
 * a delivery to every recipient's inbox (even on this deployment: no shortcut skips verification),
 * with the subject's token in `related` when the type delivers it.
 */
@Injectable()
export class OutboundActions {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly drafts: DraftsRepository,
    private readonly queues: FederationQueues,
    private readonly recipients: Recipients,
    private readonly subscriptions: Subscriptions,
    private readonly rpc: ContractClient,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
  ) {}

  async publish(outbound: Outbound): Promise<{ action: Action; claims: ActionTokenClaims }> {
    const { tenant, tnId } = outbound;
    const { token } = await this.rpc.request(signWithTenantKey, {
      idTag: tenant,
      claims: outbound.claims,
    });
    const { actionId, claims, status } = await this.store(tnId, token, outbound.draftId);
    await this.queues.enqueueFanout({
      tnId,
      tenant,
      actionId,
      ...(outbound.extraRecipients?.length ? { extra: [...outbound.extraRecipients] } : {}),
    });
    const action = await this.actions.find(tnId, actionId);
    if (!action) throw new Error(`action ${actionId} vanished`);
    await this.rpc.publish(actionStored, actionEvent(tenant, action, status, outbound.draftId));
    return { action, claims };
  }

  /**
   * Keeps a token identity just signed for the tenant: checked against its type, stored under its
   * hash, active, superseding what shares its dedup key.
   */
  private async store(
    tnId: number,
    token: string,
    draftId?: string,
  ): Promise<{ actionId: string; claims: ActionTokenClaims; status: 'A' | 'C' | 'N' | 'D' }> {
    const claims = storedClaims(token);
    const check = this.registry.check(claims);
    if (!check.ok) throw new ValidationError(check.reason);
    const actionId = contentId('a', token);
    // Held until activated: a `V` row nobody holds is an inbound token to the verifier, which
    // would judge this one as addressed to us — and fail it (seen under load: an INVT lost).
    const claimedUntil = new Date(Date.now() + OWN_ACTION_HOLD_MS);
    const stored = { tnId, actionId, claims, token, status: 'V', claimedUntil } as const;
    if (!draftId) await this.actions.insert(stored);
    else if (!(await this.drafts.becomeSigned(tnId, draftId, stored)))
      throw new ConflictError(`${draftId} was published or changed meanwhile`);
    const status = await this.actions.activate(tnId, actionId, this.registry.dedupKey(claims));
    return { actionId, claims, status };
  }

  /**
   * A connection request a peer wants proof of work for (428, protocol §2.8): signed again with a
   * nonce `_` until the token ends with `work` "A" characters. The new token has a new id; it
   * replaces the old one here (same dedup key, the old one is superseded) and is returned.
   */
  async withWork(
    tnId: number,
    tenant: string,
    actionId: string,
    work: number,
  ): Promise<{ actionId: string; token: string }> {
    const original = await this.actions.find(tnId, actionId);
    if (!original) throw new Error(`action ${actionId} vanished`);
    const { iss: _iss, k: _k, _: _nonce, ...claims } = storedClaims(original.token);
    const suffix = 'A'.repeat(work);
    // 64^work tries are expected; eight times that is a generous bound.
    for (let nonce = 0; nonce < 8 * 64 ** work; nonce++) {
      const { token } = await this.rpc.request(signWithTenantKey, {
        idTag: tenant,
        claims: { ...claims, _: String(nonce) },
      });
      if (!token.endsWith(suffix)) continue;
      return { actionId: (await this.store(tnId, token)).actionId, token };
    }
    throw new Error(`no token ending in ${work} "A" found`);
  }

  /** One delivery per recipient of the action (§2.6), the subject's token in `related` when due. */
  async deliveriesOf(job: FanoutJob): Promise<DeliveryJob[]> {
    const action = await this.actions.find(job.tnId, job.actionId);
    if (!action) return [];
    const claims = storedClaims(action.token);
    const behaviour = this.registry.lookup(claims.t)?.definition.behaviour ?? {};
    const subject =
      claims.sub &&
      (behaviour.deliverSubject || behaviour.deliverToSubjectOwner || claims.t === 'APRV')
        ? (await this.actions.findHeld(job.tnId, [claims.sub])).get(claims.sub)
        : undefined;
    // The container it is posted into (or, for a relaying APRV, the one its subject is in).
    const containerId = claims.t === 'APRV' ? subject?.parentId : claims.p;
    const container = containerId
      ? (await this.actions.findHeld(job.tnId, [containerId])).get(containerId)
      : undefined;
    const to = await this.recipients.of(
      job.tenant,
      job.tnId,
      claims,
      behaviour,
      { subject, ...(this.subscriptions.isContainer(container) ? { container } : {}) },
      job.extra,
    );
    const related = behaviour.deliverSubject && subject ? [subject.token] : undefined;
    return to.map((recipient) => ({
      actionId: job.actionId,
      recipient,
      token: action.token,
      ...(related ? { related } : {}),
    }));
  }
}
