import { Injectable, Logger } from '@nestjs/common';
import {
  ContractClient,
  profileChanged,
  tenantCreated,
  tenantPurged,
  tenantStatusChanged,
} from '@cloudillo/contracts';
import { TenantResolver, type TenantRef } from '@cloudillo/tenancy';

/**
 * Tells the deployment a tenant changed. This process's resolver forgets at once (its own routes
 * see the change on the next request, not when the event comes back); the others hear the event.
 * A profile change is best effort: copies of a profile (the gateway's) also expire.
 */
@Injectable()
export class TenantEvents {
  private readonly logger = new Logger(TenantEvents.name);

  constructor(
    private readonly rpc: ContractClient,
    private readonly resolver: TenantResolver,
  ) {}

  async created(tenant: TenantRef): Promise<void> {
    this.resolver.forget(tenant.idTag);
    await this.rpc.publish(tenantCreated, { idTag: tenant.idTag, tnId: tenant.tnId });
  }

  async statusChanged(tenant: TenantRef, status: 'A' | 'S'): Promise<void> {
    this.resolver.forget(tenant.idTag);
    await this.rpc.publish(tenantStatusChanged, { idTag: tenant.idTag, tnId: tenant.tnId, status });
  }

  async purged(tenant: TenantRef): Promise<void> {
    this.resolver.forget(tenant.idTag);
    await this.rpc.publish(tenantPurged, { idTag: tenant.idTag, tnId: tenant.tnId });
  }

  /** What `GET /api/me` answers changed: name, pictures, sections or keys. */
  async profileChanged(tenant: TenantRef): Promise<void> {
    await this.rpc
      .publish(profileChanged, { idTag: tenant.idTag, tnId: tenant.tnId })
      .catch((error: unknown) =>
        this.logger.warn(
          `could not announce the profile change of ${tenant.idTag}: ${String(error)}`,
        ),
      );
  }
}
