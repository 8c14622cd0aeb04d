import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SERVER_ADMIN_ROLE } from '@cloudillo/protocol';

import { type IdentityConfig } from '../config';
import { KeyVault } from '../keys/key-vault';
import { IDENTITY_CONFIG } from '../tokens';
import { TenantsService } from './tenants.service';

/** The base tenant (server admin) exists, with a key, before the service answers anything. */
@Injectable()
export class BaseTenantBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly tenants: TenantsService,
    private readonly vault: KeyVault,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { idTag, name } = this.config.baseTenant;
    await this.tenants.ensureTenant({ idTag, name, type: 'person', roles: [SERVER_ADMIN_ROLE] });
    await this.vault.assertOpens(idTag);
  }
}
