import { Inject, Injectable } from '@nestjs/common';
import { actionStored, ContractClient, getRelationship } from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import { Page } from '@cloudillo/http';
import {
  type ActionTokenClaims,
  actionTokenClaimsSchema,
  type ActionTypeDefinition,
  type ActionTypeRegistry,
  ConflictError,
  decodeCursor,
  encodeCursor,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '@cloudillo/protocol';

import { ACTION_TYPES } from '../action-types';
import { HookDispatcher } from '../hooks/hook-dispatcher';
import { gateOf } from '../inbox/verification.service';
import { CLOCK, type Clock } from '../tokens';
import { actionEvent } from './action-event';
import { type ActionView, toActionView } from './action-view';
import { type ActionFilter, ActionsRepository } from './actions.repository';
import { OutboundActions } from './outbound-actions';
import { storedClaims } from './stored-claims';
import { TenantDirectory } from './tenant-directory';
import { type Sight } from './visibility';

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
const ACTION_ID = /^a1~/;

/**
 * `POST /api/actions` (protocol §2.5) and the user's answers: the claims are completed from what
 * they refer to (audience and visibility inherited from the parent or subject), checked against the
 * type's definition and the outbound rules, then published through `OutboundActions`.
 */
@Injectable()
export class ActionsService {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly tenants: TenantDirectory,
    private readonly outbound: OutboundActions,
    private readonly rpc: ContractClient,
    private readonly hooks: HookDispatcher,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(tenant: string, input: NewAction): Promise<ActionView> {
    const tnId = await this.tenants.tnId(tenant);
    const t = input.subType ? `${input.type}:${input.subType}` : input.type;
    const definition = this.registry.lookup(t)?.definition;
    if (!definition) throw new ValidationError(`unknown action type ${t}`);
    const references = [input.parentId, input.subject].filter(
      (id): id is string => !!id && ACTION_ID.test(id),
    );
    const held = await this.actions.findHeld(tnId, references);
    const parent = input.parentId ? held.get(input.parentId) : undefined;
    if (input.parentId && !parent) throw new ValidationError(`unknown parent ${input.parentId}`);
    let subject = input.subject ? held.get(input.subject) : undefined;
    if (input.subject && ACTION_ID.test(input.subject) && !subject)
      throw new ValidationError(`unknown subject ${input.subject}`);
    if (definition.type === 'REPOST' && subject)
      subject = await this.repostable(tenant, tnId, subject);
    const inherited = parent ?? subject;
    const audience =
      input.audienceTag ??
      (definition.behaviour?.broadcast ? undefined : (inherited?.audience ?? inherited?.issuer));
    const visibility =
      input.visibility ??
      parent?.visibility ??
      subject?.visibility ??
      definition.defaults?.visibility ??
      (definition.behaviour?.broadcast ? 'F' : undefined);
    const flags = input.flags ?? definition.defaults?.flags;
    const claims: Record<string, unknown> = {
      t,
      iat: Math.floor(this.clock().getTime() / 1000),
      ...(input.content === undefined ? {} : { c: input.content }),
      ...(input.parentId ? { p: input.parentId } : {}),
      ...(input.attachments?.length ? { a: input.attachments } : {}),
      ...(audience && audience !== tenant ? { aud: audience } : {}),
      ...(subject ? { sub: subject.actionId } : input.subject ? { sub: input.subject } : {}),
      ...(input.expiresAt ? { exp: input.expiresAt } : {}),
      ...(visibility ? { v: visibility } : {}),
      ...(flags ? { f: flags } : {}),
    };
    const draft = actionTokenClaimsSchema.safeParse({ ...claims, iss: tenant, k: 'unsigned' });
    if (!draft.success)
      throw new ValidationError('the action does not fit the protocol', draft.error.issues);
    const check = this.registry.check(draft.data);
    if (!check.ok) throw new ValidationError(check.reason);
    if (definition.behaviour?.tokenExchangeOnly)
      throw new ValidationError(`${t} is not created here`);
    const gate = gateOf(definition, parent, subject);
    if (gate && check.subType !== 'DEL') throw new ForbiddenError(gate);
    await this.checkAudience(tenant, draft.data, definition);
    const { action, claims: signed } = await this.outbound.publish({ tenant, tnId, claims });
    await this.hooks.onCreate({ tenant, tnId, actionId: action.actionId, claims: signed });
    return toActionView(action);
  }

  /** REPOST (protocol §2.5): of someone else's public action; a repost of a repost shares the original. */
  private async repostable(tenant: string, tnId: number, subject: Action): Promise<Action> {
    let original = subject;
    if (original.type === 'REPOST' && original.subject) {
      const inner = (await this.actions.findHeld(tnId, [original.subject])).get(original.subject);
      if (!inner) throw new ValidationError('the reposted original is not held here');
      original = inner;
    }
    if (original.visibility !== 'P')
      throw new ForbiddenError('only public actions can be reposted');
    if (original.issuer === tenant) throw new ValidationError('reposting your own action');
    return original;
  }

  /** Types that are not open need a relationship with their audience (protocol §2.5). */
  private async checkAudience(
    tenant: string,
    claims: ActionTokenClaims,
    definition: ActionTypeDefinition,
  ): Promise<void> {
    if (!claims.aud || claims.aud === tenant || definition.behaviour?.allowUnknown) return;
    const relation = await this.rpc.request(getRelationship, { tenant, peer: claims.aud });
    if (relation.blocked) throw new ForbiddenError(`${claims.aud} is blocked`);
    if (!relation.following && !relation.follower && relation.connected !== 'true') {
      throw new ForbiddenError(`${claims.t} to ${claims.aud} needs a follow or a connection`);
    }
  }

  /** One action, as far as the caller may see it (a hidden one is 404, like a missing one). */
  async get(tenant: string, actionId: string, sight: Sight): Promise<ActionView> {
    const tnId = await this.tenants.tnId(tenant);
    const action = await this.actions.find(tnId, actionId);
    // The tenant's leaders see every row (a refused one says why), like the list shows them.
    const visible =
      action &&
      (sight.all ||
        (action.status === 'A' && sight.visibilities.includes(action.visibility ?? 'D')));
    if (!visible) throw new NotFoundError('no such action');
    return toActionView(action);
  }

  async list(
    tenant: string,
    filter: ActionFilter,
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
   * `DELETE /api/actions/{id}`: the tenant takes back one of its own actions. It is deleted here,
   * and where the type has a `DEL` subtype a retraction goes to the same recipients: it names the
   * original (`sub`), or shares its dedup key (REACT, CONN, FLLW), so receivers drop it too.
   */
  async retract(tenant: string, actionId: string): Promise<void> {
    const tnId = await this.tenants.tnId(tenant);
    const original = await this.actions.find(tnId, actionId);
    if (!original || original.issuer !== tenant || !['A', 'C', 'N'].includes(original.status))
      throw new NotFoundError('no live action of yours under this id');
    const definition = this.registry.lookup(original.type)?.definition;
    if (definition?.subTypes?.includes('DEL') && original.subType !== 'DEL') {
      const sub =
        definition.fields.sub === 'forbidden'
          ? undefined
          : definition.key?.includes('{subject}')
            ? original.subject
            : original.actionId;
      const claims = {
        t: `${original.type}:DEL`,
        iat: Math.floor(this.clock().getTime() / 1000),
        ...(original.audience ? { aud: original.audience } : {}),
        ...(original.parentId && definition.fields.p !== 'forbidden'
          ? { p: original.parentId }
          : {}),
        ...(sub ? { sub } : {}),
      };
      const { action, claims: signed } = await this.outbound.publish({ tenant, tnId, claims });
      await this.hooks.onCreate({ tenant, tnId, actionId: action.actionId, claims: signed });
    }
    await this.actions.retract(tnId, actionId);
    const gone = await this.actions.find(tnId, actionId);
    if (gone) await this.rpc.publish(actionStored, actionEvent(tenant, gone, 'D'));
  }

  /** `POST /api/actions/{id}/dismiss`: a notice or a waiting request the user puts away (`D`). */
  async dismiss(tenant: string, actionId: string): Promise<void> {
    const tnId = await this.tenants.tnId(tenant);
    if (!(await this.actions.retract(tnId, actionId, ['C', 'N'])))
      throw new NotFoundError('no notice or waiting action under this id');
  }

  /**
   * The user's answer to an action awaiting it (protocol §2.5, §2.9): accepting runs the type's
   * accept hook (a connection request is answered with `CONN:ACC`); rejecting keeps it as `D`.
   */
  async decide(tenant: string, actionId: string, accept: boolean): Promise<void> {
    const tnId = await this.tenants.tnId(tenant);
    const action = await this.actions.find(tnId, actionId);
    if (!action || action.status !== 'C')
      throw new NotFoundError('no action of yours awaits an answer under this id');
    if (!(await this.actions.decide(tnId, actionId, accept ? 'A' : 'D'))) {
      throw new ConflictError('this action was answered meanwhile');
    }
    if (accept) {
      const claims = storedClaims(action.token);
      await this.hooks.onAccept({ tenant, tnId, actionId, claims, action });
    }
    const decided = await this.actions.find(tnId, actionId);
    if (decided)
      await this.rpc.publish(actionStored, actionEvent(tenant, decided, accept ? 'A' : 'D'));
  }
}
