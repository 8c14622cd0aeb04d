import { Inject, Injectable } from '@nestjs/common';
import { type Action, type FederationDb, type Prisma } from '@cloudillo/db-federation';
import { type TenantRef } from '@cloudillo/tenancy';
import { type Pool } from 'pg';

import { FED_DB, FED_PG } from '../tokens';
import { CLAIM_COLUMNS, claimValues, fromRow, row, type StoredAction } from './action-rows';
import { type Sight } from './visibility';

/** The filters of `GET /api/actions` (protocol §8.1) this service applies. */
export interface ActionFilter {
  /** A visitor's view: only the active actions this sight shows (`canSee`). */
  sight?: Sight | undefined;
  types?: string[] | undefined;
  status?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  parentId?: string | undefined;
  subject?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
}

/**
 * Actions per tenant: every query carries its tn_id. Prisma for most; the inbox's hot statements
 * go straight to pg (see `createFederationPool`).
 */
@Injectable()
export class ActionsRepository {
  constructor(
    @Inject(FED_DB) private readonly db: FederationDb,
    @Inject(FED_PG) private readonly pool: Pool,
  ) {}

  /** Stores an action unless the tenant already holds it (same token, same id); true when new. */
  async insert(action: StoredAction): Promise<boolean> {
    return (await this.insertAll([action])).has(`${action.tnId}:${action.actionId}`);
  }

  /**
   * Stores inbound tokens their tenants do not hold yet (re-deliveries change nothing, but for a
   * token that failed for a reason that may have passed: it waits for verification again), in
   * one statement; returns `<tnId>:<actionId>` of those that are new or waiting again.
   */
  async insertAll(actions: StoredAction[]): Promise<Set<string>> {
    const values: unknown[] = [];
    const tuples = actions.map((action) => {
      const r = row(action);
      const fields = [
        r.tnId,
        r.actionId,
        ...claimValues(r),
        r.status,
        r.dedupKey,
        r.token,
        r.preApproved,
        r.sender,
        r.claimedUntil,
        r.fanoutSince,
        r.fanoutExtra,
        r.createdAt,
      ];
      const start = values.length;
      values.push(...fields);
      return `(${fields.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    const result = await this.pool.query(
      `insert into actions (tn_id, action_id, ${CLAIM_COLUMNS}, status, dedup_key, token,
         pre_approved, sender, claimed_until, fanout_since, fanout_extra, created_at)
       values ${tuples.join(', ')}
       on conflict (tn_id, action_id) do update
         set status = 'V', failure = null, retryable = false, attempts = 0,
             claimed_until = null, received_at = now(), sender = excluded.sender
         where actions.status = 'F' and actions.retryable
       returning tn_id, action_id`,
      values,
    );
    return new Set(
      result.rows.map((r: { tn_id: number; action_id: string }) => `${r.tn_id}:${r.action_id}`),
    );
  }

  /**
   * Takes up to `limit` of the tenant's tokens waiting for verification and holds them for
   * `holdMs` (so parallel verifiers and replicas never take the same row; a verifier that dies
   * lets go when the hold ends). Oldest first.
   */
  async claimPending(tnId: number, limit: number, holdMs: number): Promise<Action[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `update actions set claimed_until = now() + make_interval(secs => $3)
       where tn_id = $1 and action_id in (
         select action_id from actions
         where tn_id = $1 and status = 'V' and not pre_approved
           and (claimed_until is null or claimed_until < now())
         order by received_at
         limit $2
         for update skip locked)
       returning *`,
      [tnId, limit, holdMs / 1000],
    );
    return rows.map(fromRow).sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }

  /**
   * A temporary failure: tried `attempts` times, next try not before `notBefore` — or, when it
   * waits for an action it names (`waitingFor`), as soon as that one arrives.
   */
  async retryLater(
    tnId: number,
    actionId: string,
    attempts: number,
    notBefore: Date,
    waitingFor: string | null = null,
  ) {
    await this.db.action.updateMany({
      where: { tnId, actionId, status: 'V' },
      data: { attempts, claimedUntil: notBefore, waitingFor },
    });
  }

  /** The action's fan-out job is in the queue: nothing is left for the sweeper. */
  async fanoutQueued(tnId: number, actionId: string): Promise<void> {
    await this.pool.query(
      `update actions set fanout_since = null, fanout_extra = '{}'
       where tn_id = $1 and action_id = $2 and fanout_since is not null`,
      [tnId, actionId],
    );
  }

  /** Own actions whose fan-out was not queued for longer than `olderThanMs` (a crash between). */
  async lostFanouts(
    olderThanMs: number,
    limit: number,
  ): Promise<{ tenant: TenantRef; actionId: string; extra: string[] }[]> {
    const { rows } = await this.pool.query<{
      tn_id: number;
      issuer: string;
      action_id: string;
      fanout_extra: string[];
    }>(
      `select tn_id, issuer, action_id, fanout_extra from actions
       where fanout_since < now() - make_interval(secs => $1)
       order by fanout_since limit $2`,
      [olderThanMs / 1000, limit],
    );
    // An own action: its issuer is the tenant that holds it.
    return rows.map((r) => ({
      tenant: { idTag: r.issuer, tnId: r.tn_id },
      actionId: r.action_id,
      extra: r.fanout_extra,
    }));
  }

  /** Tokens waiting for these actions may be verified now; true when there were any. */
  async wakeWaitingOn(tnId: number, actionIds: string[]): Promise<boolean> {
    if (actionIds.length === 0) return false;
    const { rowCount } = await this.pool.query(
      `update actions set claimed_until = null, waiting_for = null
       where tn_id = $1 and waiting_for = any($2) and status = 'V'`,
      [tnId, actionIds],
    );
    return (rowCount ?? 0) > 0;
  }

  /** A related token that waits for the action naming it to be verified. */
  findWaitingRelated(tnId: number, actionId: string): Promise<Action | null> {
    return this.db.action.findFirst({ where: { tnId, actionId, status: 'V', preApproved: true } });
  }

  /** Many verified actions without dedup keys become active in one statement. */
  async activateAll(tnId: number, actionIds: string[]): Promise<void> {
    if (actionIds.length === 0) return;
    await this.pool.query(
      `update actions set status = 'A' where tn_id = $1 and action_id = any($2) and status = 'V'`,
      [tnId, actionIds],
    );
  }

  /** Tenants with tokens waiting unclaimed for longer than `olderThanMs` (lost triggers, retries due). */
  async tenantsWaiting(olderThanMs: number): Promise<TenantRef[]> {
    return this.db.$queryRaw<TenantRef[]>`
      select t.tn_id as "tnId", t.id_tag as "idTag" from tenants t
      where exists (
        select 1 from actions a
        where a.tn_id = t.tn_id and a.status = 'V'
          and (a.claimed_until is null or a.claimed_until < now())
          and a.received_at < now() - make_interval(secs => ${olderThanMs / 1000}))`;
  }

  /** Records a tenant's id_tag by its tnId (see `ServedTenants`); kept as first written. */
  async rememberTenant({ tnId, idTag }: TenantRef): Promise<void> {
    await this.db.federationTenant.createMany({ data: [{ tnId, idTag }], skipDuplicates: true });
  }

  /** The purge saga's part here: every action the tenant holds, and its directory row. */
  async purgeTenant(tnId: number): Promise<number> {
    const [{ count }] = await this.db.$transaction([
      this.db.action.deleteMany({ where: { tnId } }),
      this.db.federationTenant.deleteMany({ where: { tnId } }),
    ]);
    return count;
  }

  find(tnId: number, actionId: string): Promise<Action | null> {
    return this.db.action.findUnique({ where: { tnId_actionId: { tnId, actionId } } });
  }

  /**
   * Verified: stored with its final status, and any older live action with the same dedup key is
   * superseded. When a newer one already holds the key (deliveries overtake each other), this one
   * is the superseded one. Returns the status the action ended with.
   */
  async activate(
    tnId: number,
    actionId: string,
    dedupKey: string | undefined,
    status: 'A' | 'C' | 'N' | 'D' = 'A',
  ): Promise<'A' | 'C' | 'N' | 'D'> {
    // A dropped action supersedes nothing.
    if (!dedupKey || status === 'D') {
      await this.db.action.updateMany({ where: { tnId, actionId, status: 'V' }, data: { status } });
      return status;
    }
    return this.db.$transaction(async (tx) => {
      const self = await tx.action.findUnique({
        where: { tnId_actionId: { tnId, actionId } },
        select: { createdAt: true },
      });
      const live = { tnId, dedupKey, status: { in: ['A', 'C', 'N'] }, actionId: { not: actionId } };
      const newer = self
        ? await tx.action.count({ where: { ...live, createdAt: { gt: self.createdAt } } })
        : 0;
      if (newer === 0) await tx.action.updateMany({ where: live, data: { status: 'D' } });
      const final = newer > 0 ? 'D' : status;
      await tx.action.updateMany({
        where: { tnId, actionId, status: 'V' },
        data: { status: final, dedupKey },
      });
      return final;
    });
  }

  /**
   * The tenant's own recent posts and reposts a peer may see (protocol §2.10), newest first, each
   * with what travels along: a repost's original, the latest STAT.
   */
  async outbox(
    tenant: TenantRef,
    visibilities: string[],
    since: Date | undefined,
    limit: number,
  ): Promise<{ action: Action; related: string[] }[]> {
    const { tnId, idTag: issuer } = tenant;
    const actions = await this.db.action.findMany({
      where: {
        tnId,
        issuer,
        type: { in: ['POST', 'REPOST'] },
        status: 'A',
        visibility: { in: visibilities },
        ...(since ? { createdAt: { gt: since } } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { actionId: 'desc' }],
      take: limit,
    });
    const ids = actions.map((a) => a.actionId);
    const subjects = actions.flatMap((a) => (a.type === 'REPOST' && a.subject ? [a.subject] : []));
    const [stats, originals] = await Promise.all([
      this.db.action.findMany({
        where: { tnId, type: 'STAT', issuer, parentId: { in: ids }, status: 'A' },
      }),
      this.findHeld(tnId, subjects),
    ]);
    const statOf = new Map(stats.map((s) => [s.parentId, s.token]));
    return actions.map((action) => ({
      action,
      related: [
        ...(action.type === 'REPOST' && action.subject && originals.get(action.subject)
          ? [originals.get(action.subject)?.token as string]
          : []),
        ...(statOf.has(action.actionId) ? [statOf.get(action.actionId) as string] : []),
      ],
    }));
  }

  /** Whether another action with this dedup key still awaits the user (a repeated request). */
  async pending(tnId: number, dedupKey: string, except: string): Promise<boolean> {
    const count = await this.db.action.count({
      where: { tnId, dedupKey, status: 'C', actionId: { not: except } },
    });
    return count > 0;
  }

  /** The tenant's rows for these ids (any status but failed), keyed by id. */
  async findHeld(tnId: number, actionIds: string[]): Promise<Map<string, Action>> {
    if (actionIds.length === 0) return new Map();
    const rows = await this.db.action.findMany({
      where: { tnId, actionId: { in: actionIds }, status: { not: 'F' } },
    });
    return new Map(rows.map((r) => [r.actionId, r]));
  }

  /** Live comments under, and reactions to, an action (protocol §2.9 counters). */
  async interactions(
    tnId: number,
    actionId: string,
  ): Promise<{ comments: number; reactions: Record<string, number>; issuers: string[] }> {
    const [comments, reactions, issuers] = await Promise.all([
      this.db.action.count({
        where: { tnId, type: 'CMNT', parentId: actionId, status: 'A', subType: null },
      }),
      this.db.action.groupBy({
        by: ['subType'],
        where: { tnId, type: 'REACT', subject: actionId, status: 'A', subType: { not: 'DEL' } },
        _count: { _all: true },
      }),
      this.db.action.findMany({
        where: {
          tnId,
          status: 'A',
          OR: [
            { type: 'CMNT', parentId: actionId },
            { type: 'REACT', subject: actionId },
          ],
        },
        distinct: ['issuer'],
        select: { issuer: true },
      }),
    ]);
    return {
      comments,
      reactions: Object.fromEntries(
        reactions.map((r) => [r.subType ?? 'LIKE', r._count._all] as const),
      ),
      issuers: issuers.map((r) => r.issuer),
    };
  }

  /** Sets an action's server-side metadata (`x`, never signed). */
  async setX(tnId: number, actionId: string, x: Record<string, unknown>): Promise<void> {
    await this.db.action.updateMany({
      where: { tnId, actionId },
      data: { x: x as Prisma.InputJsonValue },
    });
  }

  /** The live action holding a dedup key (an invitation on record, a subscription), if any. */
  byKey(tnId: number, dedupKey: string): Promise<Action | null> {
    return this.db.action.findFirst({
      where: { tnId, dedupKey, status: { in: ['A', 'C', 'N'] } },
      orderBy: { createdAt: 'desc' },
    });
  }

  /** Who is subscribed to a container: the issuers of its live SUBS. */
  async subscribers(tnId: number, containerId: string): Promise<string[]> {
    const rows = await this.db.action.findMany({
      where: { tnId, type: 'SUBS', subType: null, subject: containerId, status: 'A' },
      distinct: ['issuer'],
      select: { issuer: true },
    });
    return rows.map((r) => r.issuer);
  }

  /** Keeps the counters of an action; a STAT older than the one applied is ignored. */
  async setStat(tnId: number, actionId: string, stat: Record<string, unknown>, at: number) {
    await this.db.$executeRaw`
      update actions set stat = ${JSON.stringify({ ...stat, at })}::jsonb
      where tn_id = ${tnId} and action_id = ${actionId}
        and (stat is null or coalesce((stat->>'at')::bigint, 0) <= ${at})`;
  }

  /** Marks live actions deleted (`D`): a retraction, or a notice the user dismissed. */
  async retract(
    tnId: number,
    actionId: string,
    from: string[] = ['A', 'C', 'N'],
  ): Promise<boolean> {
    const { count } = await this.db.action.updateMany({
      where: { tnId, actionId, status: { in: from } },
      data: { status: 'D' },
    });
    return count === 1;
  }

  /** Moves an action awaiting the user (`C`) on; false when it is not (or no longer) waiting. */
  async decide(tnId: number, actionId: string, status: 'A' | 'D'): Promise<boolean> {
    const { count } = await this.db.action.updateMany({
      where: { tnId, actionId, status: 'C' },
      data: { status },
    });
    return count === 1;
  }

  /** Refused (`F`); `retryable` when the reason may pass, so that a re-delivery revives it. */
  async fail(
    tnId: number,
    actionId: string,
    reason: string,
    options: { retryable?: boolean } = {},
  ): Promise<void> {
    await this.db.action.updateMany({
      where: { tnId, actionId, status: 'V' },
      data: {
        status: 'F',
        failure: reason.slice(0, 300),
        retryable: options.retryable ?? false,
        waitingFor: null,
      },
    });
  }

  list(
    tnId: number,
    filter: ActionFilter,
    before: { createdAt: Date; actionId: string } | undefined,
    limit: number,
  ): Promise<Action[]> {
    return this.db.action.findMany({
      where: {
        tnId,
        status: filter.sight ? 'A' : (filter.status ?? 'A'),
        ...(filter.sight ? sightWhere(filter.sight) : {}),
        ...(filter.types ? { type: { in: filter.types } } : {}),
        ...(filter.issuer ? { issuer: filter.issuer } : {}),
        ...(filter.audience ? { audience: filter.audience } : {}),
        ...(filter.parentId ? { parentId: filter.parentId } : {}),
        ...(filter.subject ? { subject: filter.subject } : {}),
        ...(filter.createdAfter || filter.createdBefore
          ? {
              createdAt: {
                ...(filter.createdAfter ? { gt: filter.createdAfter } : {}),
                ...(filter.createdBefore ? { lt: filter.createdBefore } : {}),
              },
            }
          : {}),
        ...(before
          ? {
              AND: {
                OR: [
                  { createdAt: { lt: before.createdAt } },
                  { createdAt: before.createdAt, actionId: { lt: before.actionId } },
                ],
              },
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { actionId: 'desc' }],
      take: limit,
    });
  }
}

/** `canSee` as a query: what a visitor's sight shows of the tenant's active actions. */
function sightWhere(sight: Sight): Prisma.ActionWhereInput {
  return {
    OR: [
      { visibility: { in: sight.open } },
      {
        visibility: { in: sight.tenantTiers },
        OR: [{ issuer: sight.tenant }, { audience: sight.tenant }],
      },
      ...(sight.caller === undefined ? [] : [{ issuer: sight.caller }]),
    ],
  };
}
