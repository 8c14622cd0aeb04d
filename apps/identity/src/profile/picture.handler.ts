import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, setProfilePicture } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { NotFoundError } from '@cloudillo/protocol';

import { TenantEvents } from '../tenants/tenant-events';
import { TenantsRepository } from '../tenants/tenants.repository';

/** Where the blob service hands over a stored profile or cover picture. */
@Controller()
export class PictureHandler {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly events: TenantEvents,
  ) {}

  @HandleRequest(setProfilePicture)
  async setPicture({
    idTag,
    kind,
    fileId,
  }: HandlerInput<typeof setProfilePicture>): Promise<HandlerReply<typeof setProfilePicture>> {
    if (!(await this.tenants.setPicture(idTag, kind, fileId))) {
      throw new NotFoundError(`unknown tenant ${idTag}`);
    }
    const tenant = await this.tenants.findByIdTag(idTag);
    if (tenant) await this.events.profileChanged(tenant);
    return {
      idTag,
      ...(tenant?.profilePic ? { profilePic: tenant.profilePic } : {}),
      ...(tenant?.coverPic ? { coverPic: tenant.coverPic } : {}),
    };
  }
}
