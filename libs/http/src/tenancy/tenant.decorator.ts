import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { NotFoundError } from '@cloudillo/protocol';
import { type Request } from 'express';

import { tenantOfRequest } from './request-tenants';

/**
 * The request's tenant (`TenantContext`), resolved and admitted by the auth guard before the
 * handler runs. A Host that names no tenant is 404, as an unknown one is.
 */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const tenant = tenantOfRequest(ctx.switchToHttp().getRequest<Request>());
  if (!tenant) throw new NotFoundError('unknown host');
  return tenant;
});
