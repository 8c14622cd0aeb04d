import { Inject, Injectable } from '@nestjs/common';
import { type Action } from '@cloudillo/db-federation';
import { type ActionTokenClaims } from '@cloudillo/protocol';
import { type Pool } from 'pg';

import { FED_PG } from '../tokens';
import { CLAIM_COLUMNS, claimValues, fromRow, row, type StoredAction } from './action-rows';

/** A draft's id before it is signed: `@<row number>` (protocol §2.2). */
export const TEMP_ID = /^@(\d{1,18})$/;

export type DraftStatus = 'R' | 'S';

/** The claim columns' values of a draft (`iss` the tenant, the rest as the claims will be). */
function draftValues(claims: ActionTokenClaims): unknown[] {
  return claimValues(row({ tnId: 0, actionId: '', claims, token: '', status: 'V' }));
}

/**
 * A tenant's drafts (status R) and scheduled actions (S): rows of `actions` without a token,
 * under the placeholder `@<row_id>`. Publishing claims the row (`P`, held for a while so a crashed
 * publisher lets go) and turns that same row into the signed action, so the placeholder keeps
 * naming it.
 */
@Injectable()
export class DraftsRepository {
  constructor(@Inject(FED_PG) private readonly pool: Pool) {}

  async insert(
    tnId: number,
    claims: ActionTokenClaims,
    status: DraftStatus,
    publishAt: Date | null,
  ): Promise<Action> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `insert into actions (tn_id, action_id, row_id, ${CLAIM_COLUMNS}, status, publish_at, token,
         created_at)
       select $1, '@' || n, n, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '', now()
       from (select nextval(pg_get_serial_sequence('actions', 'row_id')) as n) s
       returning *`,
      [tnId, ...draftValues(claims), status, publishAt],
    );
    return fromRow(rows[0] as Record<string, unknown>);
  }

  /** Changes a draft that has not started publishing; null when there is none under this id. */
  async update(
    tnId: number,
    draftId: string,
    claims: ActionTokenClaims,
    status: DraftStatus,
    publishAt: Date | null,
  ): Promise<Action | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `update actions set (${CLAIM_COLUMNS}) = ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13),
         status = $14, publish_at = $15, failure = null
       where tn_id = $1 and action_id = $2 and status in ('R', 'S')
       returning *`,
      [tnId, draftId, ...draftValues(claims), status, publishAt],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** The rows behind placeholders (drafts, or the actions they became), keyed by placeholder. */
  async byPlaceholder(tnId: number, placeholders: string[]): Promise<Map<string, Action>> {
    if (placeholders.length === 0) return new Map();
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `select * from actions where tn_id = $1 and row_id = any($2::bigint[])`,
      [tnId, placeholders.map((p) => p.slice(1))],
    );
    return new Map(rows.map((r) => [`@${String(r['row_id'])}`, fromRow(r)]));
  }

  /**
   * Takes a draft for publishing: `R` or `S` (or `P` whose publisher let go) becomes `P`, held for
   * `holdMs`. `scheduledAt` claims only a scheduled draft still due at that time (also one whose
   * scheduled publisher crashed: its job's retry takes it again).
   */
  async claim(
    tnId: number,
    draftId: string,
    holdMs: number,
    scheduledAt?: Date,
  ): Promise<Action | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `update actions set status = 'P', claimed_until = now() + make_interval(secs => $3)
       where tn_id = $1 and action_id = $2
         and (status in ('R', 'S') or (status = 'P' and claimed_until < now()))
         and ($4::timestamptz is null or (status in ('S', 'P') and publish_at = $4))
       returning *`,
      [tnId, draftId, holdMs / 1000, scheduledAt ?? null],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /**
   * The claimed draft becomes the signed action (status V until stored as the outbound path does;
   * held from the verifier meanwhile, which would take an unheld V row for an inbound token).
   */
  async becomeSigned(tnId: number, draftId: string, action: StoredAction): Promise<boolean> {
    const r = row(action);
    const { rowCount } = await this.pool.query(
      `update actions set action_id = $3,
         (${CLAIM_COLUMNS}) = ($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14),
         token = $15, created_at = $16, status = 'V', publish_at = null,
         claimed_until = now() + interval '60 seconds',
         failure = null, x = null, fanout_since = $17, fanout_extra = $18
       where tn_id = $1 and action_id = $2 and status = 'P'`,
      [
        tnId,
        draftId,
        r.actionId,
        ...claimValues(r),
        r.token,
        r.createdAt,
        r.fanoutSince,
        r.fanoutExtra,
      ],
    );
    return rowCount === 1;
  }

  /** A publish that could not be done: the draft is a plain draft again, with the reason. */
  async release(tnId: number, draftId: string, failure: string): Promise<void> {
    await this.pool.query(
      `update actions set status = 'R', claimed_until = null, publish_at = null, failure = $3
       where tn_id = $1 and action_id = $2 and status = 'P'`,
      [tnId, draftId, failure.slice(0, 300)],
    );
  }

  /**
   * A publish put off because uploads it attaches are still being processed: the claimed draft
   * is scheduled again, for `at`, marked with the temporary ids it waits for (`x.waitingFor`,
   * server-side metadata) so that their readiness can bring it forward.
   */
  async reschedule(
    tnId: number,
    draftId: string,
    at: Date,
    reason: string,
    waitingFor: string[],
  ): Promise<void> {
    await this.pool.query(
      `update actions set status = 'S', claimed_until = null, publish_at = $3, failure = $4,
         x = jsonb_build_object('waitingFor', $5::jsonb)
       where tn_id = $1 and action_id = $2 and status = 'P'`,
      [tnId, draftId, at, reason.slice(0, 300), JSON.stringify(waitingFor)],
    );
  }

  /**
   * Scheduled drafts waiting for upload `tempId`, moved to `at` (only those: a user's own
   * schedule is never brought forward). Returns their ids.
   */
  async bringForward(tnId: number, tempId: string, at: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ action_id: string }>(
      `update actions set publish_at = $3
       where tn_id = $1 and status = 'S' and x -> 'waitingFor' ? $2 and publish_at > $3
       returning action_id`,
      [tnId, tempId, at],
    );
    return rows.map((r) => r.action_id);
  }

  /** A scheduled draft goes back to being a draft. */
  async unschedule(tnId: number, draftId: string): Promise<Action | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `update actions set status = 'R', publish_at = null
       where tn_id = $1 and action_id = $2 and status = 'S'
       returning *`,
      [tnId, draftId],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async discard(tnId: number, draftId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `delete from actions where tn_id = $1 and action_id = $2 and status in ('R', 'S')`,
      [tnId, draftId],
    );
    return rowCount === 1;
  }
}
