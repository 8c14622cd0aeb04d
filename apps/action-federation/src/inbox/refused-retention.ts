import { Inject, Injectable, Logger } from '@nestjs/common';

import { type FederationConfig } from '../config';
import { FED_CONFIG } from '../tokens';
import { RefusalsRepository } from './refusals.repository';

const BATCH = 5_000;
/** Refusal counters kept (the issuers with the most refusals): a flood of names stays bounded. */
const COUNTERS_KEPT = 10_000;

/**
 * What a hostile or broken peer leaves behind does not grow without bound: refused tokens (`F`)
 * are kept `FED_REFUSED_RETENTION_MS` for the tenant's leaders to look at, then deleted, their
 * number added to a counter per tenant and issuer; related tokens that never met the action
 * naming them go after the same time.
 */
@Injectable()
export class RefusedRetention {
  private readonly logger = new Logger(RefusedRetention.name);

  constructor(
    private readonly refusals: RefusalsRepository,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
  ) {}

  async sweep(): Promise<number> {
    let purged = 0;
    for (;;) {
      const n = await this.refusals.purge(this.config.retention.refusedMs, BATCH);
      purged += n;
      if (n < BATCH) break;
    }
    await this.refusals.trimCounters(COUNTERS_KEPT);
    if (purged > 0) this.logger.log(`purged ${purged} refused or orphaned tokens`);
    return purged;
  }
}
