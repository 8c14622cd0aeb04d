import { isIP } from 'node:net';

import { Inject, Injectable } from '@nestjs/common';
import { ContractClient, registerAtIdp } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import {
  type ActionTypeRegistry,
  ForbiddenError,
  splitActionType,
  ValidationError,
} from '@cloudillo/protocol';

import { ActionsRepository } from '../actions/actions.repository';
import { TenantDirectory } from '../actions/tenant-directory';
import { ACTION_TYPES } from '../action-types';
import { FederationQueues } from '../delivery/federation-queues';
import { type FederationConfig } from '../config';
import { CLOCK, type Clock, FED_CONFIG } from '../tokens';
import { HeldTokens } from './held-tokens';
import { InboxWriter } from './inbox-writer';
import { ProofOfWork } from './proof-of-work';
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
  constructor(
    private readonly tenants: TenantDirectory,
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
  ) {}

  /**
   * Related tokens (the subject a REPOST or APRV shares) are checked the same way and stored
   * first, so the main action finds what it refers to; they skip only the sender check (§2.7
   * step 15: processed as pre-approved), never the signature.
   */
  async receive(
    tenant: string,
    token: string,
    related: string[] = [],
    from?: string,
  ): Promise<InboxReceipt> {
    const tnId = await this.tenants.tnId(tenant);
    const actionId = contentId('a', token);
    if (this.held.has(tnId, actionId)) return { actionId, settled: true };
    const main = checkToken(token, tenant, this.registry);
    const extra = related.map((r) => checkToken(r, tenant, this.registry, { related: true }));
    const isConn = splitActionType(main.claims.t).type === 'CONN';
    if (from && isConn) {
      await this.pow.check(from, token);
      // Asking again while the first request still waits costs the sender more work next time.
      if (main.dedupKey && (await this.actions.pending(tnId, main.dedupKey, main.actionId))) {
        await this.pow.bump(from);
      }
    }
    // Related first: the main action refers to them. Durable once stored; then a trigger.
    const stored = await this.writer.write(
      [...extra.map((c, i) => ({ c, raw: related[i] as string })), { c: main, raw: token }].map(
        ({ c, raw }) => ({
          tnId,
          actionId: c.actionId,
          claims: c.claims,
          token: raw,
          status: 'V' as const,
          preApproved: c !== main,
          sender: from,
        }),
      ),
    );
    if ([main, ...extra].some((c) => stored.has(`${tnId}:${c.actionId}`))) {
      await this.queues.requestVerification({ tnId, tenant }, this.clock().getTime());
    }
    // Stored now or before (a conflict skipped): either way this tenant holds it.
    if (!isConn) this.held.add(tnId, main.actionId);
    return { actionId: main.actionId, settled: !isConn };
  }

  /**
   * `POST /api/inbox/sync` (protocol §2.7): the same pipeline, inline, answering with the hook's
   * result. Only `IDP:REG` is handled this way: the registrar needs the IdP's answer (activation
   * code, API key) in the reply.
   */
  async receiveSync(tenant: string, token: string, registrarAddress: string): Promise<unknown> {
    const { actionId, claims } = checkToken(token, tenant, this.registry);
    if (claims.t !== 'IDP:REG')
      throw new ValidationError(`${claims.t} is not handled synchronously`);
    const tnId = await this.tenants.tnId(tenant);
    // Held for the inline verification: no background verifier takes it meanwhile.
    const hold = new Date(this.clock().getTime() + this.config.queueLockMs);
    await this.actions.insert({ tnId, actionId, claims, token, status: 'V', claimedUntil: hold });
    if ((await this.verification.verifyOne({ tnId, tenant }, actionId)) === 'F') {
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
