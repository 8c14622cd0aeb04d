import { Injectable } from '@nestjs/common';
import { ContractClient, listFollowers } from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import { type ActionBehaviour, type ActionTokenClaims, splitActionType } from '@cloudillo/protocol';

/**
 * Who receives an action this tenant created (protocol §2.6): its audience; for a broadcast
 * without one, every follower; the subject's owner when the type says so (and for APRV); plus
 * any extra recipients the caller names (a STAT's commenters and reactors).
 */
@Injectable()
export class Recipients {
  constructor(private readonly rpc: ContractClient) {}

  async of(
    tenant: string,
    claims: ActionTokenClaims,
    behaviour: ActionBehaviour,
    subject: Action | undefined,
    extra: readonly string[] = [],
  ): Promise<string[]> {
    if (behaviour.localOnly || behaviour.ephemeral) return [];
    const recipients = new Set<string>(extra);
    if (claims.aud) recipients.add(claims.aud);
    else if (behaviour.broadcast) for (const f of await this.followers(tenant)) recipients.add(f);
    const toSubjectOwner =
      behaviour.deliverToSubjectOwner || splitActionType(claims.t).type === 'APRV';
    if (toSubjectOwner && subject) recipients.add(subject.issuer);
    recipients.delete(tenant);
    return [...recipients];
  }

  private async followers(tenant: string): Promise<string[]> {
    const followers: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.rpc.request(listFollowers, {
        tenant,
        limit: 5000,
        ...(after ? { after } : {}),
      });
      followers.push(...page.items);
      after = page.next;
    } while (after);
    return followers;
  }
}
