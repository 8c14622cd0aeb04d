import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotFoundError, isAppError } from '@cloudillo/protocol';

import { nextKeyId } from '../keys/key-id';
import { KeyVault } from '../keys/key-vault';
import { CLOCK, type Clock } from '../tokens';
import { type NewTenant, type TenantRecord } from './tenant';
import { TenantEvents } from './tenant-events';
import { TenantsRepository } from './tenants.repository';

@Injectable()
export class TenantsService {
  private readonly logger = new Logger(TenantsService.name);

  constructor(
    private readonly tenants: TenantsRepository,
    private readonly vault: KeyVault,
    private readonly events: TenantEvents,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A tenant that this deployment serves; purging tenants (`X`) are already gone to the outside. */
  async resolve(idTag: string): Promise<TenantRecord> {
    const tenant = await this.tenants.findByIdTag(idTag);
    if (!tenant || tenant.status === 'X') throw new NotFoundError(`unknown tenant ${idTag}`);
    return tenant;
  }

  /** The tenant served at an app domain (its app_domain, or its id_tag). */
  async resolveAppDomain(host: string): Promise<TenantRecord> {
    const tenant = await this.tenants.findByAppDomain(host);
    if (!tenant || tenant.status === 'X') throw new NotFoundError('unknown app domain');
    return tenant;
  }

  /** Creates a new tenant with a fresh P-384 key; E-CORE-CONFLICT when the id_tag or app domain is taken. */
  async create(input: NewTenant): Promise<TenantRecord> {
    const key = await this.vault.newKey(input.idTag, nextKeyId(this.clock(), []));
    const created = await this.tenants.createWithKey(input, key);
    this.logger.log(`created tenant ${created.idTag} (tn_id ${created.tnId})`);
    await this.events.created(created);
    return created;
  }

  /** Creates the tenant with a fresh P-384 key unless it exists; safe when replicas race. */
  async ensureTenant(input: NewTenant): Promise<TenantRecord> {
    const existing = await this.tenants.findByIdTag(input.idTag);
    if (existing) return existing;
    const key = await this.vault.newKey(input.idTag, nextKeyId(this.clock(), []));
    try {
      const created = await this.tenants.createWithKey(input, key);
      this.logger.log(`created tenant ${created.idTag} (tn_id ${created.tnId})`);
      await this.events.created(created);
      return created;
    } catch (error) {
      if (isAppError(error) && error.code === 'E-CORE-CONFLICT') return this.resolve(input.idTag);
      throw error;
    }
  }
}
