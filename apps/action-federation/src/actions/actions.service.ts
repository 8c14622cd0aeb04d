import { Inject, Injectable } from '@nestjs/common';
import { ContractClient, listFollowers, signWithTenantKey } from '@cloudillo/contracts';
import { contentId, decodeUnverifiedClaims } from '@cloudillo/crypto';
import { Page } from '@cloudillo/http';
import {
  type ActionTokenClaims,
  actionTokenClaimsSchema,
  type ActionTypeRegistry,
  decodeCursor,
  encodeCursor,
  ConflictError,
  NotFoundError,
  ValidationError,
} from '@cloudillo/protocol';

import { ACTION_TYPES } from '../action-types';
import { FederationQueues } from '../delivery/federation-queues';
import { RelationshipHooks } from '../hooks/relationship-hooks';
import { CLOCK, type Clock } from '../tokens';
import { type ActionView, toActionView } from './action-view';
import { ActionsRepository } from './actions.repository';
import { TenantDirectory } from './tenant-directory';

export interface NewAction {
  type: string;
  subType?: string | undefined;
  parentId?: string | undefined;
  audienceTag?: string | undefined;
  content?: unknown;
  attachments?: string[] | undefined;
  subject?: string | undefined;
  expiresAt?: number | undefined;
  visibility?: string | undefined;
  flags?: string | undefined;
}

const CURSOR_SORT = 'createdAt';

/**
 * `POST /api/actions` (protocol §2.5, first slice): the claims are checked against the type's
 * definition, signed by identity with the tenant's newest key, stored under the hash of the token,
 * and delivered to the audience through its inbox (even on this deployment: no shortcut skips
 * verification).
 */
@Injectable()
export class ActionsService {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly tenants: TenantDirectory,
    private readonly queues: FederationQueues,
    private readonly rpc: ContractClient,
    private readonly hooks: RelationshipHooks,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(tenant: string, input: NewAction): Promise<ActionView> {
    const iat = Math.floor(this.clock().getTime() / 1000);
    const unsigned: Record<string, unknown> = {
      t: input.subType ? `${input.type}:${input.subType}` : input.type,
      iat,
      ...(input.content === undefined ? {} : { c: input.content }),
      ...(input.parentId ? { p: input.parentId } : {}),
      ...(input.attachments?.length ? { a: input.attachments } : {}),
      ...(input.audienceTag ? { aud: input.audienceTag } : {}),
      ...(input.subject ? { sub: input.subject } : {}),
      ...(input.expiresAt ? { exp: input.expiresAt } : {}),
      ...(input.visibility ? { v: input.visibility } : {}),
      ...(input.flags ? { f: input.flags } : {}),
    };
    const draft = actionTokenClaimsSchema.safeParse({ ...unsigned, iss: tenant, k: 'unsigned' });
    if (!draft.success)
      throw new ValidationError('the action does not fit the protocol', draft.error.issues);
    const check = this.registry.check(draft.data);
    if (!check.ok) throw new ValidationError(check.reason);
    if (check.definition.behaviour?.tokenExchangeOnly)
      throw new ValidationError(`${draft.data.t} is not created here`);
    const tnId = await this.tenants.tnId(tenant);
    const { token } = await this.rpc.request(signWithTenantKey, {
      idTag: tenant,
      claims: unsigned,
    });
    const claims = actionTokenClaimsSchema.parse(
      decodeUnverifiedClaims(token),
    ) as ActionTokenClaims;
    const actionId = contentId('a', token);
    await this.actions.insert({ tnId, actionId, claims, token, status: 'V' });
    await this.actions.activate(tnId, actionId, this.registry.dedupKey(claims));
    await this.hooks.onCreate(tenant, claims);
    const behaviour = check.definition.behaviour ?? {};
    if (!behaviour.localOnly && !behaviour.ephemeral) {
      for (const recipient of await this.recipients(tenant, claims, behaviour.broadcast === true)) {
        await this.queues.enqueueDelivery({ actionId, recipient, token });
      }
    }
    const stored = await this.actions.find(tnId, actionId);
    if (!stored) throw new Error(`action ${actionId} vanished`);
    return toActionView(stored);
  }

  async list(
    tenant: string,
    filter: { type?: string | undefined; status?: string | undefined; issuer?: string | undefined },
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<ActionView>> {
    let before: { createdAt: Date; actionId: string } | undefined;
    if (cursor !== undefined) {
      const decoded = decodeCursor(cursor);
      if (
        !decoded ||
        decoded.s !== CURSOR_SORT ||
        typeof decoded.v !== 'string' ||
        typeof decoded.id !== 'string'
      ) {
        throw new ValidationError('invalid cursor');
      }
      before = { createdAt: new Date(decoded.v), actionId: decoded.id };
    }
    const tnId = await this.tenants.tnId(tenant);
    const rows = await this.actions.list(tnId, filter, before, limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const hasMore = rows.length > limit;
    return new Page(items.map(toActionView), {
      nextCursor:
        hasMore && last
          ? encodeCursor({ s: CURSOR_SORT, v: last.createdAt.toISOString(), id: last.actionId })
          : null,
      hasMore,
    });
  }

  /**
   * §2.6 recipients: the audience; a broadcast without one goes to every follower. (Subscribers
   * of containers and subject owners come with the remaining hooks.)
   */
  private async recipients(
    tenant: string,
    claims: ActionTokenClaims,
    broadcast: boolean,
  ): Promise<string[]> {
    if (claims.aud) return claims.aud === tenant ? [] : [claims.aud];
    if (!broadcast) return [];
    const followers: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.rpc.request(listFollowers, {
        tenant,
        limit: 1000,
        ...(after ? { after } : {}),
      });
      followers.push(...page.items);
      after = page.next;
    } while (after);
    return followers;
  }

  /**
   * The user's answer to an action awaiting it (protocol §2.5, §2.9): accepting a connection
   * request sends `CONN:ACC` back; rejecting keeps the request as `D`.
   */
  async decide(tenant: string, actionId: string, accept: boolean): Promise<ActionView> {
    const tnId = await this.tenants.tnId(tenant);
    const action = await this.actions.find(tnId, actionId);
    if (!action || action.status !== 'C')
      throw new NotFoundError('no action of yours awaits an answer under this id');
    if (!(await this.actions.decide(tnId, actionId, accept ? 'A' : 'D'))) {
      throw new ConflictError('this action was answered meanwhile');
    }
    if (accept && action.type === 'CONN') {
      await this.create(tenant, { type: 'CONN', subType: 'ACC', audienceTag: action.issuer });
    }
    const decided = await this.actions.find(tnId, actionId);
    if (!decided) throw new NotFoundError('the action is gone');
    return toActionView(decided);
  }
}
