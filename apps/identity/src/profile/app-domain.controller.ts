import { Controller, Get, Req, Res } from '@nestjs/common';
import { Tenant, Public, RawResponse } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { API_HOST_PREFIX, NotFoundError, normalizeHost, parseIdTag } from '@cloudillo/protocol';
import { type Request, type Response } from 'express';

import { TenantsService } from '../tenants/tenants.service';

@Controller()
@Public()
export class AppDomainController {
  constructor(private readonly tenants: TenantsService) {}

  /**
   * On an app domain (any Host but `cl-o.*`): which identity it belongs to (protocol §1.1). Bare
   * JSON, as the reference serves it to shells and proxies.
   */
  @Get('.well-known/cloudillo/id-tag')
  @RawResponse()
  async idTag(@Req() req: Request, @Res() res: Response): Promise<void> {
    const host = normalizeHost(req.headers.host ?? '');
    if (host.startsWith(API_HOST_PREFIX)) throw new NotFoundError('not an app domain');
    const tenant = await this.tenants.resolveAppDomain(parseIdTag(host)?.ascii ?? host);
    res.setHeader('Cache-Control', 'no-cache');
    res.status(200).json({ idTag: tenant.idTag });
  }

  /** `GET /api/me/app-domain`: the configured app domain, or the id_tag itself. */
  @Get('api/me/app-domain')
  async appDomain(@Tenant() tenant: TenantContext): Promise<{ appDomain: string }> {
    const record = await this.tenants.resolve(tenant.idTag);
    return { appDomain: record.appDomain ?? record.idTag };
  }
}
