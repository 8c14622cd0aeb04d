import { Inject, Injectable } from '@nestjs/common';
import { type Action, type FederationDb, Prisma } from '@cloudillo/db-federation';
import { type ActionTokenClaims } from '@cloudillo/protocol';

import { FED_DB } from '../tokens';

export interface StoredAction {
  tnId: number;
  actionId: string;
  claims: ActionTokenClaims;
  token: string;
  status: 'V' | 'A';
  dedupKey?: string | undefined;
}

function row(action: StoredAction): Prisma.ActionCreateManyInput {
  const { claims } = action;
  const colon = claims.t.indexOf(':');
  return {
    tnId: action.tnId,
    actionId: action.actionId,
    type: colon === -1 ? claims.t : claims.t.slice(0, colon),
    subType: colon === -1 ? null : claims.t.slice(colon + 1),
    issuer: claims.iss,
    audience: claims.aud ?? null,
    parentId: claims.p ?? null,
    subject: claims.sub ?? null,
    content: claims.c === undefined ? Prisma.DbNull : (claims.c as Prisma.InputJsonValue),
    attachments: claims.a ?? [],
    visibility: claims.v ?? null,
    flags: claims.f ?? null,
    status: action.status,
    dedupKey: action.dedupKey ?? null,
    token: action.token,
    createdAt: new Date(claims.iat * 1000),
    expiresAt: claims.exp === undefined ? null : new Date(claims.exp * 1000),
  };
}

/** Actions per tenant: every query carries its tn_id. */
@Injectable()
export class ActionsRepository {
  constructor(@Inject(FED_DB) private readonly db: FederationDb) {}

  /** Stores an action unless the tenant already holds it (same token, same id); true when new. */
  async insert(action: StoredAction): Promise<boolean> {
    const { count } = await this.db.action.createMany({
      data: [row(action)],
      skipDuplicates: true,
    });
    return count === 1;
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
    status: 'A' | 'C' | 'N' = 'A',
  ): Promise<'A' | 'C' | 'N' | 'D'> {
    if (!dedupKey) {
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

  /** Keeps the counters of an action; a STAT older than the one applied is ignored. */
  async setStat(tnId: number, actionId: string, stat: Record<string, unknown>, at: number) {
    await this.db.$executeRaw`
      update actions set stat = ${JSON.stringify({ ...stat, at })}::jsonb
      where tn_id = ${tnId} and action_id = ${actionId}
        and (stat is null or coalesce((stat->>'at')::bigint, 0) <= ${at})`;
  }

  /** Moves an action awaiting the user (`C`) on; false when it is not (or no longer) waiting. */
  async decide(tnId: number, actionId: string, status: 'A' | 'D'): Promise<boolean> {
    const { count } = await this.db.action.updateMany({
      where: { tnId, actionId, status: 'C' },
      data: { status },
    });
    return count === 1;
  }

  async fail(tnId: number, actionId: string, reason: string): Promise<void> {
    await this.db.action.updateMany({
      where: { tnId, actionId, status: 'V' },
      data: { status: 'F', failure: reason.slice(0, 300) },
    });
  }

  list(
    tnId: number,
    filter: { type?: string | undefined; status?: string | undefined; issuer?: string | undefined },
    before: { createdAt: Date; actionId: string } | undefined,
    limit: number,
  ): Promise<Action[]> {
    return this.db.action.findMany({
      where: {
        tnId,
        status: filter.status ?? 'A',
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.issuer ? { issuer: filter.issuer } : {}),
        ...(before
          ? {
              OR: [
                { createdAt: { lt: before.createdAt } },
                { createdAt: before.createdAt, actionId: { lt: before.actionId } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { actionId: 'desc' }],
      take: limit,
    });
  }
}
