import { Inject, Injectable, Logger } from '@nestjs/common';
import { ContractClient, keyRotated } from '@cloudillo/contracts';

import { type IdentityConfig } from '../config';
import { TenantEvents } from '../tenants/tenant-events';
import { CLOCK, type Clock, IDENTITY_CONFIG } from '../tokens';
import { nextKeyId } from './key-id';
import { KeyVault } from './key-vault';
import { KeysRepository } from './keys.repository';

const BATCH = 200;

@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger(KeyRotationService.name);

  constructor(
    private readonly keys: KeysRepository,
    private readonly vault: KeyVault,
    private readonly rpc: ContractClient,
    private readonly events: TenantEvents,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Gives a tenant a new key, published now and signing once the publish lead has passed (the
   * key it replaces signs meanwhile); older keys are retired at the end of the grace window:
   * published for good, valid for tokens issued before it.
   * Returns the new key id and when it starts signing, or undefined when a concurrent rotation
   * got there first.
   */
  async rotate(tenant: {
    tnId: number;
    idTag: string;
  }): Promise<{ keyId: string; signsFrom: Date } | undefined> {
    const now = this.clock();
    const keyId = nextKeyId(now, await this.keys.keyIds(tenant.tnId));
    const key = await this.vault.newKey(tenant.idTag, keyId);
    const added = await this.keys.addKeyRetiringOthers(
      tenant.tnId,
      key,
      new Date(now.getTime() + this.config.keyRotation.graceMs),
    );
    this.vault.forget(tenant.idTag);
    if (!added) return undefined;
    // Best effort: the event only hurries caches along; the profile and its ETag already changed.
    await this.rpc.publish(keyRotated, { idTag: tenant.idTag, keyId }).catch((error: unknown) => {
      this.logger.warn(`could not announce the rotation of ${tenant.idTag}: ${String(error)}`);
    });
    await this.events.profileChanged(tenant); // the new key is published in the profile
    // The same instant the signing-key choice counts the lead from (KeysRepository.signingKey).
    const signsFrom = new Date(key.createdAt.getTime() + this.config.keyRotation.publishLeadMs);
    return { keyId, signsFrom };
  }

  /**
   * The scheduled pass: rotates every tenant whose key is older than the period. Retired keys are
   * never removed (see `addKeyRetiringOthers`): tokens they signed are served for years.
   */
  async rotateDue(): Promise<{ rotated: number }> {
    const { periodMs } = this.config.keyRotation;
    let rotated = 0;
    if (periodMs > 0) {
      const cutoff = new Date(this.clock().getTime() - periodMs);
      for (let batch = await this.keys.dueForRotation(cutoff, BATCH); batch.length > 0;) {
        for (const tenant of batch) if (await this.rotate(tenant)) rotated++;
        const next = await this.keys.dueForRotation(cutoff, BATCH);
        // A tenant still due after its turn could not be rotated (e.g. 26 keys today): stop, retry next pass.
        batch = next.some((t) => batch.some((b) => b.tnId === t.tnId)) ? [] : next;
      }
    }
    if (rotated > 0) this.logger.log(`rotated ${rotated} keys`);
    return { rotated };
  }
}
