import { Controller } from '@nestjs/common';
import {
  getRelationship,
  type HandlerInput,
  type HandlerReply,
  listFollowers,
  rolesAtTenant,
  updateRelationship,
} from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { TenantsService } from '../tenants/tenants.service';
import { KnownProfilesRepository } from './known-profiles.repository';

/**
 * Relationships for the other services: roles for access tokens (protocol §4.2), and the follow /
 * connection state action-federation's hooks keep (protocol §2.9) in the tenant's known profiles.
 */
@Controller()
export class RelationshipsHandler {
  constructor(
    private readonly tenants: TenantsService,
    private readonly known: KnownProfilesRepository,
  ) {}

  @HandleRequest(rolesAtTenant)
  async roles({
    tenant,
    idTag,
  }: HandlerInput<typeof rolesAtTenant>): Promise<HandlerReply<typeof rolesAtTenant>> {
    const { tnId } = await this.tenants.resolve(tenant);
    return { roles: await this.known.roles(tnId, idTag) };
  }

  @HandleRequest(getRelationship)
  async relation({
    tenant,
    peer,
  }: HandlerInput<typeof getRelationship>): Promise<HandlerReply<typeof getRelationship>> {
    const { tnId } = await this.tenants.resolve(tenant);
    return this.known.relationship(tnId, peer);
  }

  @HandleRequest(updateRelationship)
  async relate({
    tenant,
    peer,
    set,
  }: HandlerInput<typeof updateRelationship>): Promise<HandlerReply<typeof updateRelationship>> {
    const { tnId } = await this.tenants.resolve(tenant);
    return this.known.relate(tnId, peer, set);
  }

  @HandleRequest(listFollowers)
  async followers({
    tenant,
    after,
    limit,
  }: HandlerInput<typeof listFollowers>): Promise<HandlerReply<typeof listFollowers>> {
    const { tnId } = await this.tenants.resolve(tenant);
    const items = await this.known.followers(tnId, after, limit + 1);
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return items.length > limit && last ? { items: page, next: last } : { items: page };
  }
}
