import { Inject, Injectable } from '@nestjs/common';
import { ContractClient, getRelationship } from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import {
  type ActionTokenClaims,
  actionTokenClaimsSchema,
  type ActionTypeDefinition,
  type ActionTypeRegistry,
  ConflictError,
  ForbiddenError,
  ValidationError,
} from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

import { ACTION_TYPES } from '../action-types';
import { Subscriptions } from '../conversations/subscriptions';
import { CLOCK, type Clock } from '../tokens';
import { ActionsRepository } from './actions.repository';
import { AttachmentIds, AttachmentsPending } from './attachment-ids';
import { DraftsRepository, TEMP_ID } from './drafts.repository';
import { gateOf } from './flag-gates';

/** What a client asks to create (`POST /api/actions` body, protocol §2.5), or a draft holds. */
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

export interface Composed {
  /** The claims to sign (without `iss` and `k`). */
  claims: Record<string, unknown>;
  /** The same, checked as a token would be (`k` is a placeholder). */
  checked: ActionTokenClaims;
}

const ACTION_ID = /^a1~/;

/**
 * Turns what a client asks for into claims: references resolved (a placeholder `@<n>` to the id
 * its draft was published as), audience and visibility inherited from the parent or subject,
 * checked against the type's definition and the outbound rules. Creating and publishing a draft
 * both come through here, so a draft is held to the rules again when it is signed.
 */
@Injectable()
export class ActionComposer {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly drafts: DraftsRepository,
    private readonly subscriptions: Subscriptions,
    private readonly attachmentIds: AttachmentIds,
    private readonly rpc: ContractClient,
    @Inject(ACTION_TYPES) private readonly registry: ActionTypeRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * `forDraft`: references to drafts not published yet may stay placeholders (they are resolved
   * when this one is published); otherwise they are a conflict. So may attachments whose content
   * ids are still being made; otherwise they throw {@link AttachmentsPending}.
   */
  async compose(tenant: TenantRef, input: NewAction, forDraft = false): Promise<Composed> {
    const t = input.subType ? `${input.type}:${input.subType}` : input.type;
    const definition = this.registry.lookup(t)?.definition;
    if (!definition) throw new ValidationError(`unknown action type ${t}`);
    if (definition.behaviour?.tokenExchangeOnly)
      throw new ValidationError(`${t} is not created here`);
    const { parentId, subjectId, held } = await this.references(tenant.tnId, input, forDraft);
    const parent = parentId ? held.get(parentId) : undefined;
    if (parentId && !parent) throw new ValidationError(`unknown parent ${parentId}`);
    let subject = subjectId ? held.get(subjectId) : undefined;
    const referencesAction = !!subjectId && (ACTION_ID.test(subjectId) || TEMP_ID.test(subjectId));
    if (referencesAction && !subject) throw new ValidationError(`unknown subject ${subjectId}`);
    if (definition.type === 'REPOST' && subject) subject = await this.repostable(tenant, subject);
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
      ...(parentId ? { p: parentId } : {}),
      ...(input.attachments?.length ? { a: input.attachments } : {}),
      ...(audience && audience !== tenant.idTag ? { aud: audience } : {}),
      ...(subject ? { sub: subject.actionId } : subjectId ? { sub: subjectId } : {}),
      ...(input.expiresAt ? { exp: input.expiresAt } : {}),
      ...(visibility ? { v: visibility } : {}),
      ...(flags ? { f: flags } : {}),
    };
    const parsed = actionTokenClaimsSchema.safeParse({
      ...claims,
      iss: tenant.idTag,
      k: 'unsigned',
    });
    if (!parsed.success)
      throw new ValidationError('the action does not fit the protocol', parsed.error.issues);
    const check = this.registry.check(parsed.data);
    if (!check.ok) throw new ValidationError(check.reason);
    const gate = gateOf(definition, parent, subject);
    if (gate && check.subType !== 'DEL') throw new ForbiddenError(gate);
    // Posting into a container takes a subscription to it, which stands for a relationship.
    const container = definition.behaviour?.requiresSubscription
      ? this.subscriptions.containerOf(parent, subject)
      : undefined;
    if (container) {
      if (!(await this.subscriptions.subscribed(tenant, container)))
        throw new ForbiddenError(`${t} into ${container.actionId} needs a subscription to it`);
    } else await this.checkAudience(tenant, parsed.data, definition);
    return this.withAttachments(tenant, claims, parsed.data, forDraft);
  }

  /**
   * Last, once the action passed every check: its attachments by the ids they have now, the
   * tenant's files opened to its visibility (a draft's only looked up).
   */
  private async withAttachments(
    tenant: TenantRef,
    claims: Record<string, unknown>,
    checked: ActionTokenClaims,
    forDraft: boolean,
  ): Promise<Composed> {
    if (!checked.a?.length) return { claims, checked };
    const { attachments, pending } = await this.attachmentIds.resolve(
      tenant,
      checked.a,
      forDraft ? undefined : { visibility: checked.v },
    );
    if (pending.length > 0 && !forDraft) throw new AttachmentsPending(pending);
    return { claims: { ...claims, a: attachments }, checked: { ...checked, a: attachments } };
  }

  /** The parent and subject, placeholders resolved, with the rows they name. */
  private async references(
    tnId: number,
    input: NewAction,
    forDraft: boolean,
  ): Promise<{ parentId?: string; subjectId?: string; held: Map<string, Action> }> {
    const given = [input.parentId, input.subject].filter((id): id is string => !!id);
    const drafts = await this.drafts.byPlaceholder(
      tnId,
      given.filter((id) => TEMP_ID.test(id)),
    );
    const resolve = (id: string | undefined): string | undefined => {
      if (!id || !TEMP_ID.test(id)) return id;
      const row = drafts.get(id);
      if (!row) throw new ValidationError(`unknown placeholder ${id}`);
      if (ACTION_ID.test(row.actionId)) return row.actionId;
      if (!forDraft) throw new ConflictError(`${id} is not published yet`);
      return id;
    };
    const parentId = resolve(input.parentId);
    const subjectId = resolve(input.subject);
    const held = await this.actions.findHeld(
      tnId,
      [parentId, subjectId].filter((id): id is string => !!id && ACTION_ID.test(id)),
    );
    for (const row of drafts.values())
      if (!ACTION_ID.test(row.actionId)) held.set(row.actionId, row);
    return {
      ...(parentId ? { parentId } : {}),
      ...(subjectId ? { subjectId } : {}),
      held,
    };
  }

  /** REPOST (protocol §2.5): of someone else's public action; a repost of a repost shares the original. */
  private async repostable(tenant: TenantRef, subject: Action): Promise<Action> {
    let original = subject;
    if (original.type === 'REPOST' && original.subject) {
      const inner = (await this.actions.findHeld(tenant.tnId, [original.subject])).get(
        original.subject,
      );
      if (!inner) throw new ValidationError('the reposted original is not held here');
      original = inner;
    }
    if (original.visibility !== 'P')
      throw new ForbiddenError('only public actions can be reposted');
    if (original.issuer === tenant.idTag) throw new ValidationError('reposting your own action');
    return original;
  }

  /** Types that are not open need a relationship with their audience (protocol §2.5). */
  private async checkAudience(
    tenant: TenantRef,
    claims: ActionTokenClaims,
    definition: ActionTypeDefinition,
  ): Promise<void> {
    if (!claims.aud || claims.aud === tenant.idTag || definition.behaviour?.allowUnknown) return;
    const relation = await this.rpc.request(getRelationship, {
      tenant: tenant.idTag,
      peer: claims.aud,
    });
    if (relation.blocked) throw new ForbiddenError(`${claims.aud} is blocked`);
    if (!relation.following && !relation.follower && relation.connected !== 'true') {
      throw new ForbiddenError(`${claims.t} to ${claims.aud} needs a follow or a connection`);
    }
  }
}
