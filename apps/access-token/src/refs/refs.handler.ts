import { Controller } from '@nestjs/common';
import { consumeRef, type HandlerInput, type HandlerReply, releaseRef } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { TenantResolver } from '@cloudillo/tenancy';

import { RefsService } from './refs.service';

@Controller()
export class RefsHandler {
  constructor(
    private readonly refs: RefsService,
    private readonly tenants: TenantResolver,
  ) {}

  @HandleRequest(consumeRef)
  async consume({
    tenant,
    refId,
    types,
  }: HandlerInput<typeof consumeRef>): Promise<HandlerReply<typeof consumeRef>> {
    const ref = await this.refs.consume(await this.tenants.require(tenant), refId, types);
    return {
      refId: ref.refId,
      type: ref.type as HandlerReply<typeof consumeRef>['type'],
      tnId: ref.tnId,
      createdBy: ref.createdBy,
      ...(ref.resourceId === null ? {} : { resourceId: ref.resourceId }),
      ...(ref.accessLevel === null ? {} : { accessLevel: ref.accessLevel as 'R' | 'C' | 'W' }),
      ...(ref.params === null ? {} : { params: ref.params }),
    };
  }

  @HandleRequest(releaseRef)
  async release({
    tenant,
    refId,
  }: HandlerInput<typeof releaseRef>): Promise<HandlerReply<typeof releaseRef>> {
    return { released: await this.refs.release(await this.tenants.require(tenant), refId) };
  }
}
