import {
  type InjectionToken,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { TenantResolver, type TenantSource } from '@cloudillo/tenancy';

import { followTenantChanges, identityTenantSource } from './identity-source';

import { RequestTenants, TENANT_HEADER_SECRET } from './request-tenants';

/** Where this service's resolver asks: identity over NATS unless the service binds its own. */
export const TENANT_SOURCE = Symbol('TENANT_SOURCE');

/** Keeps the resolver current from identity's purge and status events while the app runs. */
@Injectable()
class TenantChangesFollower implements OnModuleInit, OnModuleDestroy {
  private stop?: () => void;

  constructor(
    private readonly rpc: ContractClient,
    private readonly resolver: TenantResolver,
  ) {}

  onModuleInit(): void {
    this.stop = followTenantChanges(this.rpc, this.resolver);
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}

export interface TenancyOptions {
  /** `TENANT_HEADER_SECRET`: trust the gateway's tenant header (otherwise every request resolves). */
  tenantHeaderSecret?: string | undefined;
  /** A source other than identity over NATS (identity itself reads its table). */
  source?: { useFactory: (...deps: never[]) => TenantSource; inject?: InjectionToken[] };
}

/** The tenant resolver, its event follower and the per-request lookup (needs MessagingModule). */
export function tenancyProviders(options: TenancyOptions = {}): Provider[] {
  return [
    options.source
      ? { provide: TENANT_SOURCE, ...options.source }
      : {
          provide: TENANT_SOURCE,
          useFactory: (rpc: ContractClient): TenantSource => identityTenantSource(rpc),
          inject: [ContractClient],
        },
    {
      provide: TenantResolver,
      useFactory: (source: TenantSource) => new TenantResolver(source),
      inject: [TENANT_SOURCE],
    },
    { provide: TENANT_HEADER_SECRET, useValue: options.tenantHeaderSecret },
    TenantChangesFollower,
    RequestTenants,
  ];
}
