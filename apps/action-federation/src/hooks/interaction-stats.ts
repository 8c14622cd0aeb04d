import { Inject, Injectable } from '@nestjs/common';
import { splitActionType } from '@cloudillo/protocol';

import { ActionsRepository } from '../actions/actions.repository';
import { OutboundActions } from '../actions/outbound-actions';
import { FederationQueues } from '../delivery/federation-queues';
import { type StatJob } from '../delivery/jobs';
import { Refused } from '../inbox/refused';
import { CLOCK, type Clock } from '../tokens';
import { type ActionHook, type HookContext } from './action-hook';

/** The target an interaction counts for: a comment's parent, a reaction's subject. */
function targetOf(context: HookContext): string | undefined {
  const { type } = splitActionType(context.claims.t);
  return type === 'CMNT' ? context.claims.p : context.claims.sub;
}

/**
 * Counters of comments and reactions (protocol §2.9): kept by the node that owns the commented
 * action, which broadcasts them as a coalesced STAT to its followers and to everyone who took
 * part; a receiver keeps the newest STAT's counters on its copy of the action.
 */
@Injectable()
export class InteractionStats implements ActionHook {
  readonly types = ['CMNT', 'REACT', 'STAT'] as const;

  constructor(
    private readonly actions: ActionsRepository,
    private readonly queues: FederationQueues,
    private readonly outbound: OutboundActions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onCreate(context: HookContext): Promise<void> {
    await this.counted(context);
  }

  async onReceive(context: HookContext): Promise<undefined> {
    const { claims } = context;
    if (claims.t !== 'STAT' || !claims.p) return undefined;
    const parent = (await this.actions.findHeld(context.tenant.tnId, [claims.p])).get(claims.p);
    // Only the owner of an action speaks for its counters.
    if (!parent || parent.issuer !== claims.iss) {
      throw new Refused(`${claims.iss} does not own ${claims.p}`);
    }
    await this.actions.setStat(
      context.tenant.tnId,
      claims.p,
      (claims.c ?? {}) as Record<string, unknown>,
      claims.iat,
    );
    return undefined;
  }

  async onActivated(context: HookContext): Promise<void> {
    await this.counted(context);
  }

  /** An interaction with one of this tenant's own actions schedules its STAT. */
  private async counted(context: HookContext): Promise<void> {
    if (context.claims.t === 'STAT') return;
    const target = targetOf(context);
    if (!target) return;
    const { tenant } = context;
    const held = (await this.actions.findHeld(tenant.tnId, [target])).get(target);
    if (!held || held.issuer !== tenant.idTag) return;
    await this.queues.enqueueStat({ tenant, actionId: target }, this.clock().getTime());
  }

  /** The STAT job: recount, keep the counters, broadcast them. */
  async broadcast(job: StatJob): Promise<void> {
    const { comments, reactions, issuers } = await this.actions.interactions(
      job.tenant.tnId,
      job.actionId,
    );
    const stat = { c: comments, r: reactions };
    const iat = Math.floor(this.clock().getTime() / 1000);
    await this.actions.setStat(job.tenant.tnId, job.actionId, stat, iat);
    await this.outbound.publish({
      tenant: job.tenant,
      claims: { t: 'STAT', p: job.actionId, c: stat, iat },
      extraRecipients: issuers,
    });
  }
}
