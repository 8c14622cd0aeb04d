import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActionTokenVerifier } from '@cloudillo/action-tokens';
import { type ActionTypeRegistry, isAppError } from '@cloudillo/protocol';

import { ActionsRepository } from '../actions/actions.repository';
import { RelationshipHooks } from '../hooks/relationship-hooks';
import { type FederationConfig } from '../config';
import { ACTION_TYPES } from '../action-types';
import { CLOCK, type Clock, FED_CONFIG } from '../tokens';
import { checkToken } from './token-checks';

export interface VerifyJob {
  tnId: number;
  tenant: string;
  actionId: string;
}

/** A verification that cannot succeed later: the action is stored as failed (`F`), not retried. */
export class Refused extends Error {}

/**
 * The verifying half of the inbox (protocol §2.7 steps 2–13): signature against the issuer's
 * published key, time claims with bounded skew, who may send what (§2.8), then active with the
 * type's dedup key superseding older actions. Temporary failures (an issuer that cannot be read)
 * are retried by the queue; a refusal is final.
 */
@Injectable()
export class VerificationService {
  private readonly logger = new Logger(VerificationService.name);

  constructor(
    private readonly actions: ActionsRepository,
    private readonly verifier: ActionTokenVerifier,
    private readonly hooks: RelationshipHooks,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async verify(job: VerifyJob): Promise<'A' | 'F' | 'gone'> {
    const row = await this.actions.find(job.tnId, job.actionId);
    if (!row || row.status !== 'V') return 'gone'; // already decided (a re-delivered job)
    const now = Math.floor(this.clock().getTime() / 1000);
    try {
      const { claims, dedupKey } = checkToken(row.token, job.tenant, this.registry);
      await this.verifier.verify(row.token, { now });
      if (claims.iat > now + this.config.clockSkewSeconds)
        throw new Refused('iat lies in the future');
      if (claims.exp !== undefined && claims.exp + this.config.clockSkewSeconds < now) {
        throw new Refused('the action has expired');
      }
      const definition = this.registry.lookup(claims.t)?.definition;
      const relation = await this.hooks.relationship(job.tenant, claims.iss);
      // Who may send what (protocol §2.8): blocked senders never; the open types from anyone;
      // the rest from those this tenant follows or is connected to.
      if (relation.blocked) throw new Refused(`${claims.iss} is blocked here`);
      const known = relation.following || relation.connected === 'true';
      if (!definition?.behaviour?.allowUnknown && !known) {
        throw new Refused(
          `${claims.iss} may not send ${claims.t} here (not followed or connected)`,
        );
      }
      const status = await this.hooks.onReceive(job.tenant, claims, relation);
      await this.actions.activate(job.tnId, job.actionId, dedupKey, status);
      return 'A';
    } catch (error) {
      if (error instanceof Refused || (isAppError(error) && error.status < 500)) {
        await this.actions.fail(job.tnId, job.actionId, error.message);
        this.logger.warn(`refused ${job.actionId} for ${job.tenant}: ${error.message}`);
        return 'F';
      }
      throw error; // the queue retries, then gives up with F
    }
  }

  async giveUp(job: VerifyJob, reason: string): Promise<void> {
    await this.actions.fail(job.tnId, job.actionId, `gave up: ${reason}`);
  }
}
