import { Controller } from '@nestjs/common';
import {
  createAction,
  fileShareGrant,
  type HandlerInput,
  type HandlerReply,
} from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { TenantResolver } from '@cloudillo/tenancy';

import { ActionsRepository } from './actions.repository';
import { ActionsService } from './actions.service';

/** FSHR subtypes as access levels (protocol §5.2; none = read). */
const LEVELS: Record<string, 'C' | 'W' | 'A'> = { COMMENT: 'C', WRITE: 'W', ADMIN: 'A' };

/** Actions for the other services over NATS. */
@Controller()
export class ActionsHandler {
  constructor(
    private readonly actions: ActionsService,
    private readonly stored: ActionsRepository,
    private readonly resolver: TenantResolver,
  ) {}

  /** `action-federation.action.create.v1`: an action another service has a tenant send. */
  @HandleRequest(createAction)
  async create({
    tenant,
    ...action
  }: HandlerInput<typeof createAction>): Promise<HandlerReply<typeof createAction>> {
    const { actionId } = await this.actions.create(await this.resolver.require(tenant), action);
    return { actionId };
  }

  /** `action-federation.file-share.grant.v1`: the level the tenant's own newest FSHR grants. */
  @HandleRequest(fileShareGrant)
  async grant({
    tenant,
    fileId,
    user,
  }: HandlerInput<typeof fileShareGrant>): Promise<HandlerReply<typeof fileShareGrant>> {
    const { tnId } = await this.resolver.require(tenant);
    const share = await this.stored.byKey(tnId, `FSHR:${fileId}:${user}`);
    if (!share || share.issuer !== tenant || share.type !== 'FSHR' || share.status !== 'A')
      return { permission: null };
    if (share.subType === 'DEL') return { permission: null };
    return { permission: share.subType ? (LEVELS[share.subType] ?? null) : 'R' };
  }
}
