import { Controller } from '@nestjs/common';
import {
  createTenant,
  getTenant,
  listTenants,
  purgeTenant,
  rotateTenantKey,
  setTenantStatus,
  type HandlerInput,
} from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { TenantAdminService } from './tenant-admin.service';

/** Tenant operations for operators (CLI, admin routes, portal) over NATS. */
@Controller()
export class TenantAdminHandler {
  constructor(private readonly admin: TenantAdminService) {}

  @HandleRequest(createTenant)
  create(input: HandlerInput<typeof createTenant>) {
    return this.admin.create(input);
  }

  @HandleRequest(getTenant)
  get({ idTag }: HandlerInput<typeof getTenant>) {
    return this.admin.get(idTag);
  }

  @HandleRequest(listTenants)
  list({ search, after, limit }: HandlerInput<typeof listTenants>) {
    return this.admin.list(search, after, limit);
  }

  @HandleRequest(setTenantStatus)
  setStatus({ idTag, status }: HandlerInput<typeof setTenantStatus>) {
    return this.admin.setStatus(idTag, status);
  }

  @HandleRequest(purgeTenant)
  purge({ idTag }: HandlerInput<typeof purgeTenant>) {
    return this.admin.purge(idTag);
  }

  @HandleRequest(rotateTenantKey)
  rotateKey({ idTag }: HandlerInput<typeof rotateTenantKey>) {
    return this.admin.rotateKey(idTag);
  }
}
