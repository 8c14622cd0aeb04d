import { Inject, Injectable } from '@nestjs/common';
import {
  ContractClient,
  getRelationship,
  getSettings,
  type Relationship,
  updateRelationship,
} from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import {
  type ActionTokenClaims,
  type CommunityRole,
  type SettingName,
  SETTINGS,
  type SettingValue,
  splitActionType,
} from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

import { ActionsRepository } from '../actions/actions.repository';
import { OutboundActions } from '../actions/outbound-actions';
import { type FederationConfig } from '../config';
import { FederationQueues } from '../delivery/federation-queues';
import { CLOCK, type Clock, FED_CONFIG } from '../tokens';
import {
  type ActionHook,
  type HookContext,
  type ReceiveContext,
  type ReceivedStatus,
} from './action-hook';

type RelationChange = {
  following?: boolean;
  follower?: boolean;
  connected?: 'false' | 'R' | 'true';
  roles?: CommunityRole[];
};

/** What a community's invitation makes of the invitee who then connects (protocol §2.9). */
const INVITED_ROLE: CommunityRole = 'contributor';

/**
 * The CONN and FLLW state machines (protocol §2.9), kept in identity's known-profile rows (the one
 * store of relationships, read for roles and by `/api/profiles` too). The tenant's settings
 * `profile.connection_mode` (M manual, A auto-accept, I ignore) and `profile.allow_followers`
 * decide what a stranger's request does — unless the tenant invited the sender: an INVT whose
 * subject is the tenant itself (`@<id_tag>`, a community's invitation). Accepting such an
 * invitation sends the CONN; the inviter accepts it at once and makes the sender a contributor.
 */
@Injectable()
export class RelationshipHooks implements ActionHook {
  readonly types = ['CONN', 'FLLW', 'INVT'] as const;
  readonly changesRelationships = true;

  constructor(
    private readonly rpc: ContractClient,
    private readonly outbound: OutboundActions,
    private readonly actions: ActionsRepository,
    private readonly queues: FederationQueues,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private relationship(tenant: TenantRef, peer: string): Promise<Relationship> {
    return this.rpc.request(getRelationship, { tenant: tenant.idTag, peer });
  }

  /** After this tenant created (signed) an action; a new follow fetches the peer's history. */
  async onCreate({ tenant, claims }: HookContext): Promise<void> {
    if (splitActionType(claims.t).type === 'INVT') return;
    await this.sent(tenant, claims);
    if (claims.t === 'FLLW' && claims.aud) {
      // Later: the peer must have taken the FLLW before it shows us its posts.
      await this.queues.enqueueHistory({ tenant, peer: claims.aud }, this.config.historyDelayMs);
    }
  }

  /** After an inbound action verified; the status it is stored with. */
  async onReceive({
    tenant,
    claims,
    relation,
  }: ReceiveContext): Promise<ReceivedStatus | undefined> {
    const { type, subType } = splitActionType(claims.t);
    if (type === 'INVT') return undefined; // kept as the conversation hooks decide
    const relate = (set: RelationChange) => this.set(tenant, claims.iss, set);
    // A new connection: the peer's history is ours to see now (protocol §2.10).
    const connected = async () => {
      await relate({ connected: 'true', follower: true });
      await this.queues.enqueueHistory({ tenant, peer: claims.iss }, 0);
    };
    if (type === 'CONN') {
      if (subType === 'DEL') {
        await relate({ connected: 'false' });
        return 'N';
      }
      if (subType === 'ACC') {
        // Honoured only when this tenant really asked.
        if (relation.connected !== 'R') return 'N';
        await connected();
        return 'A';
      }
      // A request: mutual requests connect; otherwise the tenant's connection mode decides.
      if (relation.connected === 'R' || relation.connected === 'true') {
        await connected();
        return 'A';
      }
      const invitation = await this.invitation(tenant, claims.iss);
      if (invitation) {
        await relate({ follower: true, roles: [INVITED_ROLE] });
        await this.answer(tenant, claims.iss);
        await this.queues.enqueueHistory({ tenant, peer: claims.iss }, 0);
        // Used once: after a CONN:DEL, coming back takes a new invitation.
        await this.actions.retract(tenant.tnId, invitation.actionId);
        return 'A';
      }
      const mode = await this.setting(tenant, 'profile.connection_mode');
      if (mode === 'I') return 'D'; // ignored: as if it never came
      await relate({ follower: true }); // the sender follows us from now on
      if (mode !== 'A') return 'C'; // waits for the user
      await this.answer(tenant, claims.iss);
      await this.queues.enqueueHistory({ tenant, peer: claims.iss }, 0);
      return 'A';
    }
    if (subType === 'DEL') {
      await relate({ follower: false });
      return 'N';
    }
    if (!(await this.setting(tenant, 'profile.allow_followers'))) return 'D';
    await relate({ follower: true });
    return 'A';
  }

  /**
   * Accepting a connection request answers it with `CONN:ACC`; accepting a community's invitation
   * asks it for the connection.
   */
  async onAccept({ tenant, claims, action }: HookContext & { action: Action }): Promise<void> {
    if (claims.t === 'CONN') await this.answer(tenant, claims.iss);
    if (claims.t === 'INVT' && action.subject === `@${claims.iss}`) {
      const iat = Math.floor(this.clock().getTime() / 1000);
      const request = await this.outbound.publish({
        tenant,
        claims: { t: 'CONN', aud: claims.iss, iat },
      });
      await this.sent(tenant, request.claims);
    }
  }

  /** The tenant's own standing invitation of `peer` into itself, if any. */
  private async invitation(tenant: TenantRef, peer: string): Promise<Action | undefined> {
    const invitation = await this.actions.byKey(tenant.tnId, `INVT:@${tenant.idTag}:${peer}`);
    return invitation?.issuer === tenant.idTag && invitation.subType === null
      ? invitation
      : undefined;
  }

  private async answer(tenant: TenantRef, requester: string): Promise<void> {
    const iat = Math.floor(this.clock().getTime() / 1000);
    const ack = await this.outbound.publish({
      tenant,
      claims: { t: 'CONN:ACC', aud: requester, iat },
    });
    await this.sent(tenant, ack.claims);
  }

  private async setting<N extends SettingName>(
    tenant: TenantRef,
    name: N,
  ): Promise<SettingValue<N>> {
    const { values } = await this.rpc.request(getSettings, {
      tenant: tenant.idTag,
      names: [name],
    });
    const parsed = SETTINGS[name].schema.safeParse(values[name]);
    return (parsed.success ? parsed.data : SETTINGS[name].default) as SettingValue<N>;
  }

  private async sent(tenant: TenantRef, claims: ActionTokenClaims): Promise<void> {
    const peer = claims.aud;
    if (!peer || peer === tenant.idTag) return;
    const { type, subType } = splitActionType(claims.t);
    const relate = (set: RelationChange) => this.set(tenant, peer, set);
    if (type === 'CONN') {
      if (subType === 'DEL') return void (await relate({ connected: 'false' }));
      const current = await this.relationship(tenant, peer);
      // ACC answers their request (which made them a follower here); an ACC nobody asked for
      // connects nothing. A plain CONN to someone already connected stays connected.
      if (subType === 'ACC') {
        if (current.follower) await relate({ following: true, connected: 'true' });
        return;
      }
      if (current.connected === 'true') return void (await relate({ following: true }));
      return void (await relate({ following: true, connected: 'R' }));
    }
    await relate({ following: subType !== 'DEL' });
  }

  private async set(tenant: TenantRef, peer: string, set: RelationChange): Promise<void> {
    await this.rpc.request(updateRelationship, { tenant: tenant.idTag, peer, set });
  }
}
