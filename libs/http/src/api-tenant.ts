import { type IncomingMessage } from 'node:http';

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type IdTag, NotFoundError, idTagFromApiHost } from '@cloudillo/protocol';
import { type Request } from 'express';

/** The tenant a request addresses, from `Host: cl-o.<id_tag>[:port]` (protocol §1.1). */
export function apiTenantOf(req: Pick<IncomingMessage, 'headers'>): IdTag {
  const idTag = idTagFromApiHost(req.headers.host ?? '');
  if (!idTag) throw new NotFoundError('unknown host');
  return idTag;
}

/** Parameter decorator for `apiTenantOf`: an unknown or non-API host is 404 E-CORE-NOTFOUND. */
export const ApiTenant = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  apiTenantOf(ctx.switchToHttp().getRequest<Request>()),
);
