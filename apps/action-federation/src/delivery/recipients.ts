import { Injectable } from '@nestjs/common';
import { ContractClient, listFollowers } from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import { type ActionBehaviour, type ActionTokenClaims, splitActionType } from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

import { Subscriptions } from '../conversations/subscriptions';

/**
 * Who receives an action this tenant created (protocol §2.6): its audience; for a broadcast
 * without one, every follower; the subject's owner when the type says so (and for APRV); the
 * subscribers of the container it is posted into, when this tenant is its home (an APRV relaying
 * a member's post there goes to them instead of the followers); plus any extra recipients the
 * caller names (a STAT's commenters and reactors).
 */
@Injectable()
export class Recipients {
  constructor(
    private readonly rpc: ContractClient,
    private readonly subscriptions: Subscriptions,
  ) {}

  async of(
    tenant: TenantRef,
    claims: ActionTokenClaims,
    behaviour: ActionBehaviour,
    held: { subject?: Action | undefined; container?: Action | undefined },
    extra: readonly string[] = [],
  ): Promise<string[]> {
    if (behaviour.localOnly || behaviour.ephemeral) return [];
    const { subject } = held;
    const container = held.container?.issuer === tenant.idTag ? held.container : undefined;
    const recipients = new Set<string>(extra);
    const isApproval = splitActionType(claims.t).type === 'APRV';
    if (claims.aud) recipients.add(claims.aud);
    else if (behaviour.broadcast && !(isApproval && container))
      for (const f of await this.followers(tenant)) recipients.add(f);
    if (container)
      for (const s of await this.subscriptions.subscribers(tenant.tnId, container))
        recipients.add(s);
    if ((behaviour.deliverToSubjectOwner || isApproval) && subject) recipients.add(subject.issuer);
    recipients.delete(tenant.idTag);
    return [...recipients];
  }

  private async followers(tenant: TenantRef): Promise<string[]> {
    const followers: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.rpc.request(listFollowers, {
        tenant: tenant.idTag,
        limit: 5000,
        ...(after ? { after } : {}),
      });
      followers.push(...page.items);
      after = page.next;
    } while (after);
    return followers;
  }
}
