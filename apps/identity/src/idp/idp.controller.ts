import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiTenant, Public, ZodPipe } from '@cloudillo/http';
import { type IdTag, NotFoundError, ValidationError, idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { type IdentityConfig } from '../config';
import { TenantsRepository } from '../tenants/tenants.repository';
import { IDENTITY_CONFIG } from '../tokens';

const availabilityQuery = z.object({ idTag: idTagSchema });

/**
 * The public side of the identity-provider role (protocol §1.5), served at the IdP's own API host
 * (`cl-o.<idp domain>`); any other tenant has no such routes.
 */
@Controller('api/idp')
@Public()
export class IdpController {
  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly tenants: TenantsRepository,
  ) {}

  @Get('info')
  info(@ApiTenant() tenant: IdTag): { domain: string; name: string; info: string; url?: string } {
    return this.idpFor(tenant);
  }

  /** Whether `<prefix>.<idp domain>` can still be registered. */
  @Get('check-availability')
  async checkAvailability(
    @ApiTenant() tenant: IdTag,
    @Query(new ZodPipe(availabilityQuery)) { idTag }: z.output<typeof availabilityQuery>,
  ): Promise<{ available: boolean; idTag: string }> {
    const { domain } = this.idpFor(tenant);
    const prefix = idTag.endsWith(`.${domain}`) ? idTag.slice(0, -domain.length - 1) : '';
    if (prefix === '' || prefix.includes('.')) {
      throw new ValidationError(`${idTag} is not one label under ${domain}`);
    }
    return { available: (await this.tenants.findByIdTag(idTag)) === undefined, idTag };
  }

  private idpFor(tenant: IdTag): NonNullable<IdentityConfig['idp']> {
    const idp = this.config.idp;
    if (!idp || idp.domain !== tenant.ascii) throw new NotFoundError('not an identity provider');
    return idp;
  }
}
