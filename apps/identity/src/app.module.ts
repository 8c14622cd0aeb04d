import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createIdentityDb, type IdentityDb } from '@cloudillo/db-identity';
import { authProviders, HealthController } from '@cloudillo/http';
import { MessagingModule } from '@cloudillo/messaging';
import { type HostResolver, PeerClient } from '@cloudillo/peer-client';
import { PeerDirectory } from '@cloudillo/protocol';

import { AdminController } from './admin/admin.controller';
import { type IdentityConfig } from './config';
import { identityReadiness } from './health/readiness';
import { IdentityJobs } from './jobs/identity-jobs';
import { KeyRotationService } from './keys/key-rotation.service';
import { KeyVault } from './keys/key-vault';
import { KeysHandler } from './keys/keys.handler';
import { KeysRepository } from './keys/keys.repository';
import { IdpAdminController } from './idp/idp-admin.controller';
import { IdpRegistrationHandler } from './idp/idp-registration.handler';
import { IdpController } from './idp/idp.controller';
import { IdpRepository } from './idp/idp.repository';
import { IdpService } from './idp/idp.service';
import { SystemDomainResolver } from './registration/domain-resolver';
import { DOMAIN_RESOLVER } from './registration/tokens';
import { RegistrationController } from './registration/registration.controller';
import { RegistrationService } from './registration/registration.service';
import { RemoteIdpRegistrar } from './registration/remote-idp.registrar';
import { VerifyController } from './registration/verify.controller';
import { VerifyService } from './registration/verify.service';
import { AppDomainController } from './profile/app-domain.controller';
import { PictureHandler } from './profile/picture.handler';
import { ProfileController } from './profile/profile.controller';
import { ProfileService } from './profile/profile.service';
import { KnownProfilesRepository } from './profiles/known-profiles.repository';
import { ProfileSummariesRepository } from './profiles/profile-summaries.repository';
import { ProfilesController } from './profiles/profiles.controller';
import { ProfilesService } from './profiles/profiles.service';
import { RelationshipsHandler } from './profiles/relationships.handler';
import { SettingsController } from './settings/settings.controller';
import { SettingsHandler } from './settings/settings.handler';
import { SettingsRepository } from './settings/settings.repository';
import { SettingsService } from './settings/settings.service';
import { RemoteKeysHandler } from './remote/remote-keys.handler';
import { RemoteKeysRepository } from './remote/remote-keys.repository';
import { RemoteKeysService } from './remote/remote-keys.service';
import { BaseTenantBootstrap } from './tenants/base-tenant.bootstrap';
import { TenantAdminHandler } from './tenants/tenant-admin.handler';
import { TenantAdminRepository } from './tenants/tenant-admin.repository';
import { TenantAdminService } from './tenants/tenant-admin.service';
import { TenantsHandler } from './tenants/tenants.handler';
import { tableTenantSource } from './tenants/table-tenant-source';
import { TenantEvents } from './tenants/tenant-events';
import { TenantsRepository } from './tenants/tenants.repository';
import { TenantsService } from './tenants/tenants.service';
import { CLOCK, type Clock, IDENTITY_CONFIG, IDENTITY_DB } from './tokens';

/** What tests (and only tests) replace: the clock, and name resolution for peers. */
export interface IdentityDeps {
  clock?: Clock;
  resolver?: HostResolver;
}

class DbLifecycle implements OnApplicationShutdown {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.$disconnect();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: IdentityConfig, deps: IdentityDeps = {}): DynamicModule {
    const clock = deps.clock ?? (() => new Date());
    return {
      module: AppModule,
      imports: [MessagingModule.forRoot({ natsUrl: config.natsUrl, name: 'identity' })],
      controllers: [
        ProfileController,
        AppDomainController,
        IdpController,
        IdpAdminController,
        IdpRegistrationHandler,
        VerifyController,
        RegistrationController,
        ProfilesController,
        AdminController,
        HealthController,
        TenantsHandler,
        KeysHandler,
        RemoteKeysHandler,
        TenantAdminHandler,
        PictureHandler,
        RelationshipsHandler,
        SettingsController,
        SettingsHandler,
      ],
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        {
          provide: IDENTITY_DB,
          useFactory: () =>
            createIdentityDb({ databaseUrl: config.databaseUrl, schema: config.dbSchema }),
        },
        DbLifecycle,
        ...authProviders({
          tenantHeaderSecret: config.tenantHeaderSecret,
          source: {
            useFactory: (tenants: TenantsRepository) => tableTenantSource(tenants),
            inject: [TenantsRepository],
          },
        }),
        identityReadiness,
        KeysRepository,
        TenantEvents,
        SettingsRepository,
        SettingsService,
        KeyVault,
        KeyRotationService,
        IdentityJobs,
        {
          provide: PeerClient,
          useFactory: () =>
            new PeerClient({
              directory: new PeerDirectory(config.peers),
              timeoutMs: config.remote.timeoutMs,
              maxBytes: config.remote.maxBytes,
              ...(deps.resolver ? { resolver: deps.resolver } : {}),
            }),
        },
        {
          provide: DOMAIN_RESOLVER,
          useFactory: () => new SystemDomainResolver(config.registration.dnsServers),
        },
        VerifyService,
        RegistrationService,
        RemoteIdpRegistrar,
        RemoteKeysRepository,
        RemoteKeysService,
        TenantsRepository,
        TenantAdminRepository,
        TenantAdminService,
        TenantsService,
        ProfileService,
        IdpRepository,
        IdpService,
        KnownProfilesRepository,
        ProfileSummariesRepository,
        ProfilesService,
        BaseTenantBootstrap,
      ],
    };
  }
}
