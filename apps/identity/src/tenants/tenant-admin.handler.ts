import { Controller } from '@nestjs/common';
import {
  createTenant,
  getTenant,
  listTenants,
  purgeTenant,
  rotateTenantKey,
  setTenantStatus,
  type RequestContract,
} from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { type z } from 'zod';

import { TenantAdminService } from './tenant-admin.service';

type In<C> = C extends RequestContract<infer Req, z.ZodType> ? z.output<Req> : never;

/** Tenant operations for operators (CLI, admin routes, portal) over NATS. */
@Controller()
export class TenantAdminHandler {
  constructor(private readonly admin: TenantAdminService) {}

  @HandleRequest(createTenant)
  create(input: In<typeof createTenant>) {
    return this.admin.create(input);
  }

  @HandleRequest(getTenant)
  get({ idTag }: In<typeof getTenant>) {
    return this.admin.get(idTag);
  }

  @HandleRequest(listTenants)
  list({ search, after, limit }: In<typeof listTenants>) {
    return this.admin.list(search, after, limit);
  }

  @HandleRequest(setTenantStatus)
  setStatus({ idTag, status }: In<typeof setTenantStatus>) {
    return this.admin.setStatus(idTag, status);
  }

  @HandleRequest(purgeTenant)
  purge({ idTag }: In<typeof purgeTenant>) {
    return this.admin.purge(idTag);
  }

  @HandleRequest(rotateTenantKey)
  rotateKey({ idTag }: In<typeof rotateTenantKey>) {
    return this.admin.rotateKey(idTag);
  }
}
