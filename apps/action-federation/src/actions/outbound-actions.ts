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
import { type TenantRef } from '@cloudillo/tenancy';

import { ACTION_TYPES } from '../action-types';
import { Subscriptions } from '../conversations/subscriptions';
import { FederationQueues } from '../delivery/federation-queues';
import { Recipients } from '../delivery/recipients';
import { type Delivery, type DeliveryJob, type FanoutJob } from '../delivery/jobs';
import { FaultPoints } from '../fault-points';
import { actionEvent } from './action-event';
import { type StoredAction } from './action-rows';
import { ActionsRepository } from './actions.repository';
import { DraftsRepository } from './drafts.repository';
import { ServedTenants } from './served-tenants';
import { storedClaims } from './stored-claims';

export interface Outbound {
  tenant: TenantRef;
  /** The claims to sign, without `iss` and `k` (identity adds them). */
  claims: Record<string, unknown>;
  /** Recipients beyond those the type implies (a STAT's commenters and reactors). */
  extraRecipients?: readonly string[];
  /** A claimed draft (`@<n>`) that becomes this action: its row is kept, its id echoed in the event as `tempId` (protocol §2.2). */
  draftId?: string;
}

/** How long a just-signed own action is kept from the verifier before it is activated. */
const OWN_ACTION_HOLD_MS = 60_000;
/** A fan-out not queued this long after its action was stored was lost (the normal path takes ms). */
const LOST_FANOUT_AFTER_MS = 10_000;

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
    private readonly served: ServedTenants,
    private readonly rpc: ContractClient,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    private readonly faults: FaultPoints,
  ) {}

  async publish(outbound: Outbound): Promise<{ action: Action; claims: ActionTokenClaims }> {
    const { tenant } = outbound;
    const { token } = await this.rpc.request(signWithTenantKey, {
      idTag: tenant.idTag,
      claims: outbound.claims,
    });
    const extra = outbound.extraRecipients?.length ? [...outbound.extraRecipients] : undefined;
    // The row says its fan-out is still to be queued (one statement with the action itself):
    // should this process die before the job is in Redis, the sweeper queues it.
    const { actionId, claims, status } = await this.store(tenant, token, outbound.draftId, {
      extra,
    });
    this.faults.hit('after-store');
    await this.queueFanout({ tenant, actionId, ...(extra ? { extra } : {}) });
    const action = await this.actions.find(tenant.tnId, actionId);
    if (!action) throw new Error(`action ${actionId} vanished`);
    await this.rpc.publish(actionStored, actionEvent(tenant, action, status, outbound.draftId));
    return { action, claims };
  }

  /**
   * Keeps a token identity just signed for the tenant: checked against its type, stored under its
   * hash, active, superseding what shares its dedup key.
   */
  private async store(
    tenant: TenantRef,
    token: string,
    draftId?: string,
    fanout?: StoredAction['fanout'],
  ): Promise<{ actionId: string; claims: ActionTokenClaims; status: 'A' | 'C' | 'N' | 'D' }> {
    const claims = storedClaims(token);
    const check = this.registry.check(claims);
    if (!check.ok) throw new ValidationError(check.reason);
    const actionId = contentId('a', token);
    const { tnId } = tenant;
    await this.served.record(tenant);
    // Held until activated: a `V` row nobody holds is an inbound token to the verifier, which
    // would judge this one as addressed to us — and fail it (seen under load: an INVT lost).
    const claimedUntil = new Date(Date.now() + OWN_ACTION_HOLD_MS);
    const stored = {
      tnId,
      actionId,
      claims,
      token,
      status: 'V',
      claimedUntil,
      ...(fanout ? { fanout } : {}),
    } as const;
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
    tenant: TenantRef,
    actionId: string,
    work: number,
  ): Promise<{ actionId: string; token: string }> {
    const original = await this.actions.find(tenant.tnId, actionId);
    if (!original) throw new Error(`action ${actionId} vanished`);
    const { iss: _iss, k: _k, _: _nonce, ...claims } = storedClaims(original.token);
    const suffix = 'A'.repeat(work);
    // 64^work tries are expected; eight times that is a generous bound.
    for (let nonce = 0; nonce < 8 * 64 ** work; nonce++) {
      const { token } = await this.rpc.request(signWithTenantKey, {
        idTag: tenant.idTag,
        claims: { ...claims, _: String(nonce) },
      });
      if (!token.endsWith(suffix)) continue;
      return { actionId: (await this.store(tenant, token)).actionId, token };
    }
    throw new Error(`no token ending in ${work} "A" found`);
  }

  /**
   * The sweeper's part of the transactional outbox: fan-outs a crash kept from the queue (older
   * than a grace the normal path needs) are queued now. The job id is the action's, so one that
   * made it after all is not queued twice; receivers take a token they hold as a no-op.
   */
  async requeueLostFanouts(): Promise<number> {
    const lost = await this.actions.lostFanouts(LOST_FANOUT_AFTER_MS, 500);
    for (const { extra, ...job } of lost)
      await this.queueFanout({ ...job, ...(extra.length ? { extra } : {}) });
    return lost.length;
  }

  /** The fan-out job in the queue, then the row's mark taken off (a crash between: queued twice, one job). */
  private async queueFanout(job: FanoutJob): Promise<void> {
    await this.queues.enqueueFanout(job);
    await this.actions.fanoutQueued(job.tenant.tnId, job.actionId);
  }

  /** One delivery per recipient of the action (§2.6), the subject's token in `related` when due. */
  async deliveriesOf(job: FanoutJob): Promise<Delivery[]> {
    const { tnId } = job.tenant;
    const action = await this.actions.find(tnId, job.actionId);
    if (!action) return [];
    const claims = storedClaims(action.token);
    const behaviour = this.registry.lookup(claims.t)?.definition.behaviour ?? {};
    const subject =
      claims.sub &&
      (behaviour.deliverSubject || behaviour.deliverToSubjectOwner || claims.t === 'APRV')
        ? (await this.actions.findHeld(tnId, [claims.sub])).get(claims.sub)
        : undefined;
    // The container it is posted into (or, for a relaying APRV, the one its subject is in).
    const containerId = claims.t === 'APRV' ? subject?.parentId : claims.p;
    const container = containerId
      ? (await this.actions.findHeld(tnId, [containerId])).get(containerId)
      : undefined;
    const to = await this.recipients.of(
      job.tenant,
      claims,
      behaviour,
      { subject, ...(this.subscriptions.isContainer(container) ? { container } : {}) },
      job.extra,
    );
    const related = behaviour.deliverSubject && subject ? subject : undefined;
    return to.map((recipient) => ({
      tnId,
      actionId: job.actionId,
      recipient,
      token: action.token,
      ...(related ? { relatedIds: [related.actionId], related: [related.token] } : {}),
    }));
  }

  /** A queued delivery's tokens, read again (undefined when the action is gone). */
  async load(job: DeliveryJob): Promise<Delivery | undefined> {
    // Queued by a release before ids-only jobs: the tokens travel in the job.
    const legacy = job as Partial<Delivery>;
    if (legacy.token) return { ...job, token: legacy.token };
    const action = await this.actions.find(job.tnId, job.actionId);
    if (!action) return undefined;
    const ids = job.relatedIds ?? [];
    const held = await this.actions.findHeld(job.tnId, ids);
    const related = ids.flatMap((id) => {
      const found = held.get(id);
      return found ? [found.token] : [];
    });
    return { ...job, token: action.token, ...(related.length ? { related } : {}) };
  }
}
