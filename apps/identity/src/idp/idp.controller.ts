import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { Tenant, Public, ZodPipe } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { NotFoundError, ValidationError, idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { type IdpConfig, IdpService, prefixOf } from './idp.service';

const availabilityQuery = z.object({ idTag: idTagSchema });
const activateBody = z.object({ refId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

/**
 * The public side of the identity-provider role (protocol §1.5), served at the IdP's own API host
 * (`cl-o.<idp domain>`); any other tenant has no such routes.
 */
@Controller('api/idp')
@Public()
export class IdpController {
  constructor(private readonly idp: IdpService) {}

  @Get('info')
  info(@Tenant() tenant: TenantContext): {
    domain: string;
    name: string;
    info: string;
    url?: string;
  } {
    const { domain, name, info, url } = this.idpAt(tenant);
    return url ? { domain, name, info, url } : { domain, name, info };
  }

  /** Whether `<prefix>.<idp domain>` can still be registered. */
  @Get('check-availability')
  async checkAvailability(
    @Tenant() tenant: TenantContext,
    @Query(new ZodPipe(availabilityQuery)) { idTag }: z.output<typeof availabilityQuery>,
  ): Promise<{ available: boolean; idTag: string }> {
    const { domain } = this.idpAt(tenant);
    if (!prefixOf(idTag, domain))
      throw new ValidationError(`${idTag} is not one label under ${domain}`);
    return { available: await this.idp.available(idTag), idTag };
  }

  /** The link in the activation mail: the identity becomes active, its window extended. */
  @Post('activate')
  @HttpCode(200)
  activate(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(activateBody)) { refId }: z.output<typeof activateBody>,
  ): Promise<{ idTag: string; status: string }> {
    this.idpAt(tenant);
    return this.idp.activate(refId);
  }

  private idpAt(tenant: TenantContext): IdpConfig {
    const idp = this.idp.idp();
    if (idp.domain !== tenant.idTag) throw new NotFoundError('not an identity provider');
    return idp;
  }
}
