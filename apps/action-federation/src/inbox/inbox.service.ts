import { isIP } from 'node:net';
import { type TenantRef } from '@cloudillo/tenancy';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { ContractClient, registerAtIdp } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import {
  type ActionTypeRegistry,
  ConflictError,
  ForbiddenError,
  splitActionType,
  ValidationError,
} from '@cloudillo/protocol';

import { ActionsRepository } from '../actions/actions.repository';
import { ServedTenants } from '../actions/served-tenants';
import { ACTION_TYPES } from '../action-types';
import { FederationQueues } from '../delivery/federation-queues';
import { type FederationConfig } from '../config';
import { HookDispatcher } from '../hooks/hook-dispatcher';
import { CLOCK, type Clock, FED_CONFIG } from '../tokens';
import { HeldTokens } from './held-tokens';
import { InboxWriter } from './inbox-writer';
import { ProofOfWork } from './proof-of-work';
import { changesReceiverOf, keepRelated } from './related-tokens';
import { checkToken } from './token-checks';
import { VerificationService } from './verification.service';

/** What the inbox tells a sender, and whether a repeat of the delivery would be told the same. */
export interface InboxReceipt {
  actionId: string;
  /**
   * This tenant holds the token: a repeat is answered the same without being looked at. Not for
   * CONN, whose repeats are asked for proof of work again.
   */
  settled: boolean;
}

/**
 * `POST /api/inbox` (protocol §2.7): static checks, then the token is stored (status `V`) and
 * queued for verification before the 201. A token this tenant already holds is not queued again:
 * re-deliveries cost one lookup.
 */
@Injectable()
export class InboxService {
  private readonly logger = new Logger(InboxService.name);

  constructor(
    private readonly served: ServedTenants,
    private readonly actions: ActionsRepository,
    private readonly queues: FederationQueues,
    private readonly verification: VerificationService,
    private readonly pow: ProofOfWork,
    private readonly writer: InboxWriter,
    private readonly held: HeldTokens,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly rpc: ContractClient,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    private readonly hooks: HookDispatcher,
  ) {}

  /**
   * Related tokens (the subject a REPOST or APRV shares) are checked the same way; those the main
   * token names are kept (`keepRelated`) and stored beside it, waiting: they are verified only
   * with the main token, and stored active only when it is accepted. They skip only the sender
   * check (§2.7 step 15: processed as pre-approved), never the signature or proof of work.
   */
  async receive(
    tenant: TenantRef,
    token: string,
    related: string[] = [],
    from?: string,
  ): Promise<InboxReceipt> {
    const { tnId, idTag } = tenant;
    const actionId = contentId('a', token);
    if (this.held.has(tnId, actionId)) return { actionId, settled: true };
    const main = checkToken(token, idTag, this.registry);
    const { kept, dropped } = keepRelated(
      main,
      related.map((raw) => ({
        checked: checkToken(raw, idTag, this.registry, { related: true }),
        raw,
      })),
      idTag,
      this.registry,
      changesReceiverOf((t) => this.hooks.changesRelationships(t)),
    );
    for (const { actionId: id, reason } of dropped) {
      this.logger.warn(`dropped related token ${id} for ${idTag}: ${reason}`);
    }
    const isConn = splitActionType(main.claims.t).type === 'CONN';
    // Proof of work counts every CONN the delivery carries, related ones included.
    for (const r of kept) {
      if (from && splitActionType(r.checked.claims.t).type === 'CONN')
        await this.pow.check(from, r.raw);
    }
    if (from && isConn) {
      await this.pow.check(from, token);
      // Asking again while the first request still waits costs the sender more work next time.
      if (main.dedupKey && (await this.actions.pending(tnId, main.dedupKey, main.actionId))) {
        await this.pow.bump(from);
      }
    }
    // Related first: the main action refers to them. Durable once stored; then a trigger.
    await this.served.record(tenant);
    const stored = await this.writer.write(
      [...kept, { checked: main, raw: token }].map(({ checked, raw }) => ({
        tnId,
        actionId: checked.actionId,
        claims: checked.claims,
        token: raw,
        status: 'V' as const,
        preApproved: checked !== main,
        sender: from,
      })),
    );
    if (stored.has(`${tnId}:${main.actionId}`)) {
      await this.queues.requestVerification({ tenant }, this.clock().getTime());
    }
    // Stored now or before (a conflict skipped): either way this tenant holds it (until a
    // failure that may pass forgets it, `HeldTokens.forget`).
    if (!isConn) this.held.add(tnId, main.actionId);
    return { actionId: main.actionId, settled: !isConn };
  }

  /**
   * `POST /api/inbox/sync` (protocol §2.7): the same pipeline, inline, answering with the hook's
   * result. Only `IDP:REG` is handled this way: the registrar needs the IdP's answer (activation
   * code, API key) in the reply.
   */
  async receiveSync(tenant: TenantRef, token: string, registrarAddress: string): Promise<unknown> {
    const { actionId, claims } = checkToken(token, tenant.idTag, this.registry);
    if (claims.t !== 'IDP:REG')
      throw new ValidationError(`${claims.t} is not handled synchronously`);
    const { tnId } = tenant;
    await this.served.record(tenant);
    // Held for the inline verification: no background verifier takes it meanwhile.
    const hold = new Date(this.clock().getTime() + this.config.queueLockMs);
    const fresh = await this.actions.insert({
      tnId,
      actionId,
      claims,
      token,
      status: 'V',
      claimedUntil: hold,
    });
    // A replayed registration must not register (and hand out an API key) twice.
    if (!fresh) throw new ConflictError('this registration token was received before');
    if ((await this.verification.verifyOne({ tenant }, actionId)) === 'F') {
      const row = await this.actions.find(tnId, actionId);
      throw new ForbiddenError(row?.failure ?? 'the registration was refused');
    }
    return this.rpc.request(registerAtIdp, {
      registrarIdTag: claims.iss,
      ...(isIP(registrarAddress) ? { registrarAddress } : {}),
      content: claims.c as never,
    });
  }
}
