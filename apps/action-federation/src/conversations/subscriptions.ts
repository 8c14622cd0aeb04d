import { Inject, Injectable } from '@nestjs/common';
import { type Action } from '@cloudillo/db-federation';
import {
  type ActionTokenClaims,
  type ActionTypeDefinition,
  type ActionTypeRegistry,
  SUBSCRIPTION_ROLES,
  type SubscriptionRole,
  splitActionType,
} from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

import { ActionsRepository } from '../actions/actions.repository';
import { ACTION_TYPES } from '../action-types';

/** What the subscription rules say of an inbound action (protocol §2.8 step 6). */
export type Admission =
  /** Admitted by the subscription rules: no relationship needed. */
  | { kind: 'admitted' }
  | { kind: 'refused'; reason: string }
  /** Not a matter of subscriptions: the relationship rules decide. */
  | { kind: 'not-applicable' };

const RANK = new Map(SUBSCRIPTION_ROLES.map((role, i) => [role, i]));

export function outranks(role: SubscriptionRole, required: SubscriptionRole): boolean {
  return (RANK.get(role) ?? -1) >= (RANK.get(required) ?? 0);
}

/**
 * Subscriptions to containers (a CONV, protocol §2.3 subscribable): SUBS actions held at the
 * container's home (the tenant that issued it), with the role in their server-side `x`. The
 * container's owner is its admin. Members post into it; the home relays what they post to the other
 * subscribers with an APRV, which receivers accept from the container's owner (R3).
 */
@Injectable()
export class Subscriptions {
  constructor(
    private readonly actions: ActionsRepository,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
  ) {}

  isContainer(action: Action | undefined): action is Action {
    return !!action && !!this.registry.lookup(action.type)?.definition.behaviour?.subscribable;
  }

  /** A container whose home relays its children to the subscribers (CONV). */
  relays(action: Action | undefined): action is Action {
    return !!action && !!this.registry.lookup(action.type)?.definition.behaviour?.relayChildren;
  }

  /** The container an action is posted into (its parent, else its subject), if it is one. */
  containerOf(parent: Action | undefined, subject: Action | undefined): Action | undefined {
    if (this.isContainer(parent)) return parent;
    if (this.isContainer(subject)) return subject;
    return undefined;
  }

  /** A tenant's role in a container it is the home of; undefined when not subscribed. */
  async roleAt(
    tnId: number,
    container: Action,
    idTag: string,
  ): Promise<SubscriptionRole | undefined> {
    if (idTag === container.issuer) return 'admin';
    const subscription = await this.actions.byKey(tnId, `SUBS:${container.actionId}:${idTag}`);
    if (!subscription || subscription.subType !== null || subscription.status !== 'A')
      return undefined;
    const role = (subscription.x as { role?: unknown } | null)?.role;
    return SUBSCRIPTION_ROLES.includes(role as SubscriptionRole)
      ? (role as SubscriptionRole)
      : 'member';
  }

  /** Whether the tenant itself holds a live subscription (its own SUBS) to a container elsewhere. */
  async subscribed(tenant: TenantRef, container: Action): Promise<boolean> {
    if (container.issuer === tenant.idTag) return true;
    const own = await this.actions.byKey(tenant.tnId, `SUBS:${container.actionId}:${tenant.idTag}`);
    return !!own && own.subType === null && own.status === 'A';
  }

  subscribers(tnId: number, container: Action): Promise<string[]> {
    return this.actions.subscribers(tnId, container.actionId);
  }

  /**
   * The subscription rules for an inbound action: at the container's home, a member may post
   * (observers may not), a moderator may invite and only an admin may change a subscription or
   * the container; elsewhere the container's owner may post to a subscriber, relay a member's
   * post with an APRV (R3) and is the only one who may change the container.
   */
  async admits(
    tenant: TenantRef,
    claims: ActionTokenClaims,
    definition: ActionTypeDefinition | undefined,
    referenced: { parent?: Action; subject?: Action },
  ): Promise<Admission> {
    const { type, subType } = splitActionType(claims.t);
    if (type === 'APRV' && referenced.subject?.parentId) {
      const { parentId } = referenced.subject;
      const container = (await this.actions.findHeld(tenant.tnId, [parentId])).get(parentId);
      if (this.relays(container) && container.issuer === claims.iss) return { kind: 'admitted' }; // R3
      return { kind: 'not-applicable' };
    }
    const required = requiredRole(type, subType, definition);
    const container = this.containerOf(referenced.parent, referenced.subject);
    if (!required || !container) return { kind: 'not-applicable' };
    if (container.issuer === tenant.idTag) {
      const role = await this.roleAt(tenant.tnId, container, claims.iss);
      if (role && outranks(role, required)) return { kind: 'admitted' };
      return {
        kind: 'refused',
        reason: `${claims.iss} is ${role ?? 'not subscribed'} in ${container.actionId}; ${claims.t} needs ${required}`,
      };
    }
    if (claims.iss === container.issuer && (await this.subscribed(tenant, container)))
      return { kind: 'admitted' };
    // Away from the home, the container's owner is the one admin known.
    if (required === 'admin' && claims.iss !== container.issuer)
      return { kind: 'refused', reason: `only ${container.issuer} may send ${claims.t} here` };
    return { kind: 'not-applicable' };
  }
}

/**
 * The role an action needs in the container it names (protocol §2.8): changing a subscription or
 * the container itself (`SUBS:UPD`, `CONV:UPD`) needs admin, inviting needs moderator, posting
 * into it (types that require a subscription) member.
 */
function requiredRole(
  type: string,
  subType: string | undefined,
  definition: ActionTypeDefinition | undefined,
): SubscriptionRole | undefined {
  if (subType === 'UPD' && (type === 'SUBS' || definition?.behaviour?.subscribable)) return 'admin';
  if (definition?.behaviour?.requiresSubscription) return 'member';
  if (type === 'INVT' && subType !== 'DEL') return 'moderator';
  return undefined;
}
