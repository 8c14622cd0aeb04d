import { Inject, Injectable } from '@nestjs/common';
import { type ActionTypeRegistry, splitActionType } from '@cloudillo/protocol';

import { OutboundActions } from '../actions/outbound-actions';
import { ACTION_TYPES } from '../action-types';
import { CLOCK, type Clock } from '../tokens';
import { Subscriptions } from '../conversations/subscriptions';
import {
  type ActionHook,
  type HookContext,
  type ReceiveContext,
  type ReceivedStatus,
} from './action-hook';

/**
 * Approval (protocol §2.9 APRV): an approvable action (POST, REPOST, MSG…) someone addresses to
 * this tenant — a post on its wall — waits for the tenant's user (`C`), unless the sender is
 * trusted. Approving it publishes an APRV that carries the original to the tenant's followers and
 * back to its author.
 */
@Injectable()
export class ApprovalHooks implements ActionHook {
  readonly types: readonly string[];

  constructor(
    private readonly outbound: OutboundActions,
    private readonly subscriptions: Subscriptions,
    @Inject(ACTION_TYPES) registry: ActionTypeRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.types = registry
      .types()
      .filter((t) => registry.lookup(t)?.definition.behaviour?.approvable);
  }

  async onReceive(context: ReceiveContext): Promise<ReceivedStatus | undefined> {
    const { claims, tenant, relation } = context;
    if (claims.aud !== tenant.idTag || claims.iss === tenant.idTag) return undefined;
    // Posted into a container: the subscription is the approval (and the home relays it).
    if (this.subscriptions.containerOf(context.parent, context.subject)) return undefined;
    if (splitActionType(claims.t).subType === 'DEL') return undefined;
    if (!relation.trusted) return 'C';
    await this.approve(context);
    return 'A';
  }

  async onAccept(context: HookContext): Promise<void> {
    if (context.claims.aud === context.tenant.idTag) await this.approve(context);
  }

  private async approve({ tenant, actionId }: HookContext): Promise<void> {
    await this.outbound.publish({
      tenant,
      claims: { t: 'APRV', sub: actionId, iat: Math.floor(this.clock().getTime() / 1000) },
    });
  }
}
