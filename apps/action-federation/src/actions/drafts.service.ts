import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Action } from '@cloudillo/db-federation';
import { AppError, ConflictError, NotFoundError } from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

import { FederationQueues } from '../delivery/federation-queues';
import { type PublishJob } from '../delivery/jobs';
import { HookDispatcher } from '../hooks/hook-dispatcher';
import { CLOCK, type Clock } from '../tokens';
import { ActionComposer, type NewAction } from './action-composer';
import { type ActionView, toActionView } from './action-view';
import { ActionsRepository } from './actions.repository';
import { AttachmentsPending } from './attachment-ids';
import { DraftsRepository } from './drafts.repository';
import { OutboundActions } from './outbound-actions';

/** What `PATCH /api/actions/{@n}` may change; `publishAt: null` unschedules. */
export type DraftChange = Partial<Omit<NewAction, 'type' | 'subType'>> & {
  publishAt?: Date | null;
};

/** How long a publisher holds a draft; a crashed one lets go after it. */
const PUBLISH_HOLD_MS = 60_000;
/**
 * An action waiting for its attachments' content ids is tried again after 0.25 s, doubling to at
 * most 5 s (image variants take seconds, and a try is one NATS request and one row update), for
 * about half an hour; then it is left as a draft, with the reason.
 */
const ATTACHMENT_WAIT_FIRST_MS = 250;
const ATTACHMENT_WAIT_MAX_MS = 5_000;
const ATTACHMENT_WAITS = 360;

function attachmentWaitMs(waits: number): number {
  return Math.min(ATTACHMENT_WAIT_FIRST_MS * 2 ** waits, ATTACHMENT_WAIT_MAX_MS);
}

/** The fields of a stored draft as a create request. */
function requestOf(draft: Action): NewAction {
  return {
    type: draft.type,
    ...(draft.subType ? { subType: draft.subType } : {}),
    ...(draft.parentId ? { parentId: draft.parentId } : {}),
    ...(draft.audience ? { audienceTag: draft.audience } : {}),
    ...(draft.content === null ? {} : { content: draft.content }),
    ...(draft.attachments.length ? { attachments: draft.attachments } : {}),
    ...(draft.subject ? { subject: draft.subject } : {}),
    ...(draft.expiresAt ? { expiresAt: Math.floor(draft.expiresAt.getTime() / 1000) } : {}),
    ...(draft.visibility ? { visibility: draft.visibility } : {}),
    ...(draft.flags ? { flags: draft.flags } : {}),
  };
}

/**
 * Drafts (`R`) and scheduled actions (`S`, protocol §2.5): kept unsigned under `@<n>`, checked
 * when saved and again when published (now, or by a job at `publishAt`), when they are signed and
 * leave like any other action. A publish the rules refuse leaves a draft with the reason.
 */
@Injectable()
export class DraftsService {
  private readonly logger = new Logger(DraftsService.name);

  constructor(
    private readonly composer: ActionComposer,
    private readonly drafts: DraftsRepository,
    private readonly actions: ActionsRepository,
    private readonly outbound: OutboundActions,
    private readonly hooks: HookDispatcher,
    private readonly queues: FederationQueues,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * `POST /api/actions` whose attachments are still being processed: kept as a scheduled draft
   * (`S`, answered with its `@<n>`) and signed once they have their content ids; the final id
   * reaches `/ws/bus` clients with `tempId` like any published draft's.
   */
  async awaitAttachments(
    tenant: TenantRef,
    input: NewAction,
    pending: AttachmentsPending,
  ): Promise<ActionView> {
    const saved = await this.save(tenant, input);
    const claimed = await this.drafts.claim(tenant.tnId, saved.actionId, PUBLISH_HOLD_MS);
    if (!claimed) throw new ConflictError(`${saved.actionId} was changed meanwhile`);
    await this.tryAgainLater({ tenant, draftId: saved.actionId }, 0, pending);
    return toActionView(await this.draft(tenant.tnId, saved.actionId));
  }

  /**
   * An upload got its content id (`blob.file.id-generated.v1`): the drafts waiting for it are
   * published now rather than at their next try.
   */
  async attachmentReady(tenant: TenantRef, tempId: string): Promise<void> {
    const now = this.clock().getTime();
    const at = new Date(now);
    for (const draftId of await this.drafts.bringForward(tenant.tnId, tempId, at))
      await this.queues.schedulePublish(
        { tenant, draftId, publishAt: at.toISOString(), attachmentWaits: 0 },
        now,
      );
  }

  async save(tenant: TenantRef, input: NewAction, publishAt?: Date): Promise<ActionView> {
    const { checked } = await this.composer.compose(tenant, input, true);
    const status = publishAt ? 'S' : 'R';
    const draft = await this.drafts.insert(tenant.tnId, checked, status, publishAt ?? null);
    if (publishAt) await this.schedule(tenant, draft.actionId, publishAt);
    return toActionView(draft);
  }

  async change(tenant: TenantRef, draftId: string, change: DraftChange): Promise<ActionView> {
    const { tnId } = tenant;
    const current = await this.draft(tnId, draftId);
    const { publishAt: requested, ...fields } = change;
    const publishAt = requested === undefined ? (current.publishAt ?? undefined) : requested;
    const input = { ...requestOf(current), ...fields };
    const { checked } = await this.composer.compose(tenant, input, true);
    const status = publishAt ? 'S' : 'R';
    const changed = await this.drafts.update(tnId, draftId, checked, status, publishAt ?? null);
    if (!changed) throw new ConflictError(`${draftId} was published or changed meanwhile`);
    if (publishAt && publishAt.getTime() !== current.publishAt?.getTime())
      await this.schedule(tenant, draftId, publishAt);
    return toActionView(changed);
  }

  /**
   * `POST …/{@n}/publish`: signed and sent now, whatever its schedule — or, when its attachments
   * are still being processed, as soon as they are ready (answered with the draft, still `S`).
   */
  async publish(tenant: TenantRef, draftId: string): Promise<ActionView> {
    const draft = await this.drafts.claim(tenant.tnId, draftId, PUBLISH_HOLD_MS);
    if (!draft) throw new NotFoundError('no draft under this id');
    try {
      return toActionView(await this.sign(tenant, draft, true));
    } catch (error) {
      if (!(error instanceof AttachmentsPending)) throw error;
      await this.tryAgainLater({ tenant, draftId }, 0, error);
      return toActionView(await this.draft(tenant.tnId, draftId));
    }
  }

  /** The scheduled job: publishes the draft if it is still due at the time the job is for. */
  async publishScheduled(job: PublishJob): Promise<void> {
    const draft = await this.drafts.claim(
      job.tenant.tnId,
      job.draftId,
      PUBLISH_HOLD_MS,
      new Date(job.publishAt),
    );
    if (!draft) return; // published, changed, cancelled or discarded meanwhile
    const waits = job.attachmentWaits ?? 0;
    const mayWait = waits < ATTACHMENT_WAITS;
    try {
      await this.sign(job.tenant, draft, mayWait);
    } catch (error) {
      if (error instanceof AttachmentsPending && mayWait) {
        await this.tryAgainLater(job, waits + 1, error);
        return;
      }
      if (!(error instanceof AppError)) throw error; // infrastructure: the job tries again
      this.logger.warn(
        `scheduled ${job.draftId} of ${job.tenant.idTag} not published: ${error.message}`,
      );
    }
  }

  /**
   * A claimed draft whose attachments are not ready is scheduled again. The next job first, then
   * the row it claims: a crash in between leaves the current job to retry (the row is still held
   * under its old time), never a row without a job.
   */
  private async tryAgainLater(
    job: Pick<PublishJob, 'tenant' | 'draftId'>,
    waits: number,
    pending: AttachmentsPending,
  ): Promise<void> {
    const now = this.clock().getTime();
    const at = new Date(now + attachmentWaitMs(waits));
    const { tenant, draftId } = job;
    await this.queues.schedulePublish(
      { tenant, draftId, publishAt: at.toISOString(), attachmentWaits: waits },
      now,
    );
    await this.drafts.reschedule(tenant.tnId, draftId, at, pending.message, pending.pending);
  }

  /** `POST …/{@n}/cancel`: a scheduled action goes back to being a draft. */
  async cancel(tenant: TenantRef, draftId: string): Promise<ActionView> {
    const draft = await this.drafts.unschedule(tenant.tnId, draftId);
    if (draft) return toActionView(draft);
    await this.draft(tenant.tnId, draftId);
    throw new ConflictError(`${draftId} is not scheduled`);
  }

  async discard(tenant: TenantRef, draftId: string): Promise<void> {
    if (!(await this.drafts.discard(tenant.tnId, draftId)))
      throw new NotFoundError('no draft under this id');
  }

  private async draft(tnId: number, draftId: string): Promise<Action> {
    const draft = await this.actions.find(tnId, draftId);
    if (!draft || (draft.status !== 'R' && draft.status !== 'S'))
      throw new NotFoundError('no draft under this id');
    return draft;
  }

  private async schedule(tenant: TenantRef, draftId: string, at: Date): Promise<void> {
    const now = this.clock().getTime();
    await this.queues.schedulePublish({ tenant, draftId, publishAt: at.toISOString() }, now);
  }

  /**
   * Composes the claimed draft anew (the rules of now apply), signs it into its own row. A draft
   * that cannot be published goes back to being a draft with the reason — unless `mayWait` and
   * only its attachments are not ready: then it stays claimed, and its caller schedules it again.
   */
  private async sign(tenant: TenantRef, draft: Action, mayWait = false): Promise<Action> {
    const draftId = draft.actionId;
    try {
      const { claims } = await this.composer.compose(tenant, requestOf(draft));
      const published = await this.outbound.publish({ tenant, claims, draftId });
      await this.hooks.onCreate({
        tenant,
        actionId: published.action.actionId,
        claims: published.claims,
      });
      return published.action;
    } catch (error) {
      const waits = error instanceof AttachmentsPending && mayWait;
      if (error instanceof AppError && !waits)
        await this.drafts.release(tenant.tnId, draftId, error.message);
      throw error;
    }
  }
}
