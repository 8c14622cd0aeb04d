import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';

import { type IdentityConfig } from '../config';
import { IdpService } from '../idp/idp.service';
import { KeyRotationService } from '../keys/key-rotation.service';
import { TenantAdminService } from '../tenants/tenant-admin.service';
import { IDENTITY_CONFIG } from '../tokens';
import { PeriodicJob } from './periodic-job';

/**
 * Identity's background passes: key rotation, re-announcing purges until every service has them,
 * and deleting identities (IdP role) that were never activated.
 */
@Injectable()
export class IdentityJobs implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdentityJobs.name);
  private readonly jobs: PeriodicJob[];

  constructor(
    rotation: KeyRotationService,
    admin: TenantAdminService,
    idp: IdpService,
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
  ) {
    const redis = { url: config.redisUrl, prefix: config.queuePrefix };
    this.jobs = [
      new PeriodicJob(
        'identity.rotate-keys',
        config.keyRotation.checkEveryMs,
        () => rotation.rotateDue(),
        redis,
        this.logger,
      ),
      new PeriodicJob(
        'identity.reannounce-purges',
        config.purge.reannounceEveryMs,
        () => admin.reannouncePurges(),
        redis,
        this.logger,
      ),
      new PeriodicJob(
        'identity.idp-expire-pending',
        config.purge.reannounceEveryMs,
        () => idp.deleteExpired(),
        redis,
        this.logger,
      ),
    ];
  }

  async onModuleInit(): Promise<void> {
    for (const job of this.jobs) await job.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const job of this.jobs) await job.stop();
  }
}
