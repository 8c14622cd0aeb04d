import { Controller, Get, Query } from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { Authenticated, type AuthContext, AuthUser, Tenant, ZodPipe } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { ActionsRepository } from '../actions/actions.repository';
import { sightOf, tiersOf } from '../actions/visibility';

const outboxQuery = z.object({
  since: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(100),
});

export interface OutboxItem {
  token: string;
  related?: string[];
}

/**
 * `GET /api/outbox` (protocol §2.10): this tenant's recent posts for a peer that follows it or is
 * connected (with a token from the PROXY exchange), as far as their visibility allows; nothing for
 * anyone else.
 */
@Controller('api/outbox')
export class OutboxController {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly rpc: ContractClient,
  ) {}

  @Get()
  @Authenticated()
  async list(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Query(new ZodPipe(outboxQuery)) query: z.output<typeof outboxQuery>,
  ): Promise<{ items: OutboxItem[] }> {
    const sight = await sightOf(this.rpc, tenant, caller);
    if (!sight.related) return { items: [] };
    const rows = await this.actions.outbox(tenant, tiersOf(sight), query.since, query.limit);
    return {
      items: rows.map(({ action, related }) => ({
        token: action.token,
        ...(related.length > 0 ? { related } : {}),
      })),
    };
  }
}
