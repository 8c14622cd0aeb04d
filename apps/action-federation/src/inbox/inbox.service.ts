import { isIP } from 'node:net';

import { Inject, Injectable } from '@nestjs/common';
import { ContractClient, registerAtIdp } from '@cloudillo/contracts';
import { type ActionTypeRegistry, ForbiddenError, ValidationError } from '@cloudillo/protocol';

import { ActionsRepository } from '../actions/actions.repository';
import { TenantDirectory } from '../actions/tenant-directory';
import { ACTION_TYPES } from '../action-types';
import { FederationQueues } from '../delivery/federation-queues';
import { checkToken } from './token-checks';
import { VerificationService } from './verification.service';

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
    private readonly rpc: ContractClient,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
  ) {}

  async receive(tenant: string, token: string): Promise<{ actionId: string }> {
    const { actionId, claims } = checkToken(token, tenant, this.registry);
    const tnId = await this.tenants.tnId(tenant);
    const isNew = await this.actions.insert({ tnId, actionId, claims, token, status: 'V' });
    if (isNew) await this.queues.enqueueVerify({ tnId, tenant, actionId });
    return { actionId };
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
    await this.actions.insert({ tnId, actionId, claims, token, status: 'V' });
    await this.verification.verify({ tnId, tenant, actionId });
    const row = await this.actions.find(tnId, actionId);
    if (row?.status === 'F')
      throw new ForbiddenError(row.failure ?? 'the registration was refused');
    return this.rpc.request(registerAtIdp, {
      registrarIdTag: claims.iss,
      ...(isIP(registrarAddress) ? { registrarAddress } : {}),
      content: claims.c as never,
    });
  }
}
