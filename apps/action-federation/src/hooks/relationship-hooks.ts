import { Injectable } from '@nestjs/common';
import {
  ContractClient,
  getRelationship,
  type Relationship,
  updateRelationship,
} from '@cloudillo/contracts';
import { type ActionTokenClaims, splitActionType } from '@cloudillo/protocol';

/** The row status an inbound action ends in (protocol §2.4): active, awaiting the user, a notice. */
export type ReceivedStatus = 'A' | 'C' | 'N';

/**
 * The CONN and FLLW state machines (protocol §2.9), kept in identity's known-profile rows (the one
 * store of relationships, read for roles and by `/api/profiles` too).
 */
@Injectable()
export class RelationshipHooks {
  constructor(private readonly rpc: ContractClient) {}

  relationship(tenant: string, peer: string): Promise<Relationship> {
    return this.rpc.request(getRelationship, { tenant, peer });
  }

  /** After this tenant created (signed) an action. */
  async onCreate(tenant: string, claims: ActionTokenClaims): Promise<void> {
    const peer = claims.aud;
    if (!peer || peer === tenant) return;
    const { type, subType } = splitActionType(claims.t);
    const relate = (set: Parameters<typeof this.set>[2]) => this.set(tenant, peer, set);
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
    if (type === 'FLLW') await relate({ following: subType !== 'DEL' });
  }

  /** After an inbound action verified; the status it is stored with. */
  async onReceive(
    tenant: string,
    claims: ActionTokenClaims,
    current: Relationship,
  ): Promise<ReceivedStatus> {
    const { type, subType } = splitActionType(claims.t);
    const relate = (set: Parameters<typeof this.set>[2]) => this.set(tenant, claims.iss, set);
    if (type === 'CONN') {
      if (subType === 'DEL') {
        await relate({ connected: 'false' });
        return 'N';
      }
      if (subType === 'ACC') {
        // Honoured only when this tenant really asked.
        if (current.connected !== 'R') return 'N';
        await relate({ connected: 'true', follower: true });
        return 'A';
      }
      // A request: the sender follows us from now on; mutual requests connect.
      if (current.connected === 'R' || current.connected === 'true') {
        await relate({ follower: true, connected: 'true' });
        return 'A';
      }
      await relate({ follower: true });
      return 'C';
    }
    if (type === 'FLLW') {
      await relate({ follower: subType !== 'DEL' });
      return subType === 'DEL' ? 'N' : 'A';
    }
    return 'A';
  }

  private async set(
    tenant: string,
    peer: string,
    set: { following?: boolean; follower?: boolean; connected?: 'false' | 'R' | 'true' },
  ): Promise<void> {
    await this.rpc.request(updateRelationship, { tenant, peer, set });
  }
}
