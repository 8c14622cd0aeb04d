import { Inject, Injectable } from '@nestjs/common';
import { type ActionTypeRegistry } from '@cloudillo/protocol';

import { ActionsRepository } from '../actions/actions.repository';
import { TenantDirectory } from '../actions/tenant-directory';
import { ACTION_TYPES } from '../action-types';
import { FederationQueues } from '../delivery/federation-queues';
import { checkToken } from './token-checks';

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
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
  ) {}

  async receive(tenant: string, token: string): Promise<{ actionId: string }> {
    const { actionId, claims } = checkToken(token, tenant, this.registry);
    const tnId = await this.tenants.tnId(tenant);
    const isNew = await this.actions.insert({ tnId, actionId, claims, token, status: 'V' });
    if (isNew) await this.queues.enqueueVerify({ tnId, tenant, actionId });
    return { actionId };
  }
}
