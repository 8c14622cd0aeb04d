import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';

import { type IdentityConfig } from '../config';
import { KeyRotationService } from '../keys/key-rotation.service';
import { TenantAdminService } from '../tenants/tenant-admin.service';
import { IDENTITY_CONFIG } from '../tokens';
import { PeriodicJob } from './periodic-job';

/** Identity's background passes: key rotation, and re-announcing purges until every service has them. */
@Injectable()
export class IdentityJobs implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdentityJobs.name);
  private readonly jobs: PeriodicJob[];

  constructor(
    rotation: KeyRotationService,
    admin: TenantAdminService,
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
    ];
  }

  async onModuleInit(): Promise<void> {
    for (const job of this.jobs) await job.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const job of this.jobs) await job.stop();
  }
}
