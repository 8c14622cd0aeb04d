import { Inject, Injectable } from '@nestjs/common';
import { actionStored, ContractClient } from '@cloudillo/contracts';
import { Page } from '@cloudillo/http';
import {
  type ActionTypeRegistry,
  ConflictError,
  decodeCursor,
  encodeCursor,
  NotFoundError,
  ValidationError,
} from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

import { ACTION_TYPES } from '../action-types';
import { HookDispatcher } from '../hooks/hook-dispatcher';
import { CLOCK, type Clock } from '../tokens';
import { ActionComposer, type NewAction } from './action-composer';
import { actionEvent } from './action-event';
import { type ActionView, toActionView } from './action-view';
import { type ActionFilter, ActionsRepository } from './actions.repository';
import { AttachmentsPending } from './attachment-ids';
import { DraftsService } from './drafts.service';
import { OutboundActions } from './outbound-actions';
import { storedClaims } from './stored-claims';
import { canSee, type Sight } from './visibility';

const CURSOR_SORT = 'createdAt';

/**
 * `POST /api/actions` (protocol §2.5), reading, and the user's answers. New actions are composed
 * (`ActionComposer`) and published through `OutboundActions`.
 */
@Injectable()
export class ActionsService {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly outbound: OutboundActions,
    private readonly rpc: ContractClient,
    private readonly hooks: HookDispatcher,
    private readonly composer: ActionComposer,
    private readonly drafts: DraftsService,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Signed and sent now; or, asked as a draft or for later, kept as one (`DraftsService`) — as is
   * one whose attachments are still being processed, until they are ready.
   */
  async create(
    tenant: TenantRef,
    input: NewAction & { draft?: boolean | undefined; publishAt?: Date | undefined },
  ): Promise<ActionView> {
    const { draft, publishAt, ...request } = input;
    if (draft || publishAt) return this.drafts.save(tenant, request, publishAt);
    let claims: Record<string, unknown>;
    try {
      ({ claims } = await this.composer.compose(tenant, request));
    } catch (error) {
      if (error instanceof AttachmentsPending)
        return this.drafts.awaitAttachments(tenant, request, error);
      throw error;
    }
    const { action, claims: signed } = await this.outbound.publish({ tenant, claims });
    await this.hooks.onCreate({ tenant, actionId: action.actionId, claims: signed });
    return toActionView(action);
  }

  /** One action, as far as the caller may see it (a hidden one is 404, like a missing one). */
  async get(tenant: TenantRef, actionId: string, sight: Sight): Promise<ActionView> {
    const action = await this.actions.find(tenant.tnId, actionId);
    // Tokens in verification or refused are not actions (leaders find them with `?status=`).
    const visible =
      action && action.status !== 'V' && action.status !== 'F' && canSee(sight, action);
    if (!visible) throw new NotFoundError('no such action');
    return toActionView(action);
  }

  async list(
    tenant: TenantRef,
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
    const rows = await this.actions.list(tenant.tnId, filter, before, limit + 1);
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
  async retract(tenant: TenantRef, actionId: string): Promise<void> {
    const { tnId } = tenant;
    const original = await this.actions.find(tnId, actionId);
    if (!original || original.issuer !== tenant.idTag || !['A', 'C', 'N'].includes(original.status))
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
      const { action, claims: signed } = await this.outbound.publish({ tenant, claims });
      await this.hooks.onCreate({ tenant, actionId: action.actionId, claims: signed });
    }
    await this.actions.retract(tnId, actionId);
    const gone = await this.actions.find(tnId, actionId);
    if (gone) await this.rpc.publish(actionStored, actionEvent(tenant, gone, 'D'));
  }

  /** `POST /api/actions/{id}/dismiss`: a notice or a waiting request the user puts away (`D`). */
  async dismiss(tenant: TenantRef, actionId: string): Promise<void> {
    if (!(await this.actions.retract(tenant.tnId, actionId, ['C', 'N'])))
      throw new NotFoundError('no notice or waiting action under this id');
  }

  /**
   * The user's answer to an action awaiting it (protocol §2.5, §2.9): accepting runs the type's
   * accept hook (a connection request is answered with `CONN:ACC`); rejecting keeps it as `D`.
   */
  async decide(tenant: TenantRef, actionId: string, accept: boolean): Promise<void> {
    const { tnId } = tenant;
    const action = await this.actions.find(tnId, actionId);
    if (!action || action.status !== 'C')
      throw new NotFoundError('no action of yours awaits an answer under this id');
    if (!(await this.actions.decide(tnId, actionId, accept ? 'A' : 'D'))) {
      throw new ConflictError('this action was answered meanwhile');
    }
    if (accept) {
      const claims = storedClaims(action.token);
      await this.hooks.onAccept({ tenant, actionId, claims, action });
    }
    const decided = await this.actions.find(tnId, actionId);
    if (decided)
      await this.rpc.publish(actionStored, actionEvent(tenant, decided, accept ? 'A' : 'D'));
  }
}
