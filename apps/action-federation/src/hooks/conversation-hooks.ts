import { Inject, Injectable } from '@nestjs/common';
import { type Action } from '@cloudillo/db-federation';
import {
  type ActionTypeRegistry,
  SUBSCRIPTION_ROLES,
  type SubscriptionRole,
  splitActionType,
} from '@cloudillo/protocol';

import { ActionsRepository } from '../actions/actions.repository';
import { OutboundActions } from '../actions/outbound-actions';
import { ACTION_TYPES } from '../action-types';
import { Subscriptions } from '../conversations/subscriptions';
import { CLOCK, type Clock } from '../tokens';
import {
  type ActionHook,
  type HookContext,
  type ReceiveContext,
  type ReceivedStatus,
} from './action-hook';

function roleIn(content: unknown): SubscriptionRole | undefined {
  const role = (content as { role?: unknown } | null)?.role;
  return SUBSCRIPTION_ROLES.includes(role as SubscriptionRole)
    ? (role as SubscriptionRole)
    : undefined;
}

/**
 * Conversations (protocol §2.9 SUBS/CONV/INVT): a CONV's creator subscribes as admin; an
 * invitation waits for the invitee (`C`), and accepting it subscribes them at the CONV's home;
 * the home admits a SUBS when the CONV is open (`O`), when an invitation is on record (with its
 * role), or from the creator, and drops it otherwise; what a member posts into the CONV is relayed
 * by the home to the other subscribers with an APRV that carries it.
 */
@Injectable()
export class ConversationHooks implements ActionHook {
  readonly types: readonly string[];

  constructor(
    private readonly actions: ActionsRepository,
    private readonly outbound: OutboundActions,
    private readonly subscriptions: Subscriptions,
    @Inject(ACTION_TYPES) registry: ActionTypeRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const children = registry
      .types()
      .filter((t) => registry.lookup(t)?.definition.behaviour?.requiresSubscription);
    this.types = ['CONV', 'SUBS', 'INVT', ...children];
  }

  private now(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  /** A new CONV: its creator is subscribed as admin (role kept in `x`, not signed). */
  async onCreate({ tenant, actionId, claims }: HookContext): Promise<void> {
    if (claims.t !== 'CONV') return;
    const own = await this.outbound.publish({
      tenant,
      claims: { t: 'SUBS', aud: claims.aud ?? tenant.idTag, sub: actionId, iat: this.now() },
    });
    await this.actions.setX(tenant.tnId, own.action.actionId, { role: 'admin' });
  }

  async onReceive(context: ReceiveContext): Promise<ReceivedStatus | undefined> {
    const { claims, tenant } = context;
    const { type, subType } = splitActionType(claims.t);
    if (type === 'INVT') {
      if (subType === 'DEL') return 'N';
      // At the invitee it waits for an answer; at the CONV's home it is kept on record.
      return claims.aud === tenant.idTag ? 'C' : 'A';
    }
    if (type === 'SUBS' && subType === undefined) return this.subscribe(context);
    return undefined;
  }

  /** A subscription arriving at the container's home: admitted with a role, or dropped. */
  private async subscribe({
    tenant,
    actionId,
    claims,
    subject,
  }: ReceiveContext): Promise<ReceivedStatus | undefined> {
    if (!this.subscriptions.isContainer(subject) || subject.issuer !== tenant.idTag)
      return undefined;
    let role: SubscriptionRole | undefined;
    if (claims.iss === subject.issuer) role = 'admin';
    else {
      const invitation = await this.actions.byKey(
        tenant.tnId,
        `INVT:${subject.actionId}:${claims.iss}`,
      );
      if (invitation && invitation.subType === null) role = roleIn(invitation.content) ?? 'member';
      else if (subject.flags?.includes('O')) role = 'member';
    }
    if (!role) return 'D';
    await this.actions.setX(tenant.tnId, actionId, { role });
    return 'A';
  }

  /** Accepting an invitation subscribes the invitee at the CONV's home. */
  async onAccept({ tenant, claims, action }: HookContext & { action: Action }) {
    if (splitActionType(claims.t).type !== 'INVT' || !action.subject) return;
    const container = (await this.actions.findHeld(tenant.tnId, [action.subject])).get(
      action.subject,
    );
    if (!container) return;
    await this.outbound.publish({
      tenant,
      claims: { t: 'SUBS', aud: container.issuer, sub: container.actionId, iat: this.now() },
    });
  }

  /** At the home of a relaying container, a member's post goes on to the other subscribers. */
  async onActivated({ tenant, actionId, claims }: HookContext): Promise<void> {
    if (!claims.p || claims.iss === tenant.idTag) return;
    const container = (await this.actions.findHeld(tenant.tnId, [claims.p])).get(claims.p);
    if (!this.subscriptions.relays(container) || container.issuer !== tenant.idTag) return;
    await this.outbound.publish({
      tenant,
      claims: { t: 'APRV', sub: actionId, iat: this.now() },
    });
  }
}
