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

  /** Verified: active, and any older active action with the same dedup key is superseded. */
  async activate(
    tnId: number,
    actionId: string,
    dedupKey: string | undefined,
    status: 'A' | 'C' | 'N' = 'A',
  ): Promise<void> {
    await this.db.$transaction(async (tx) => {
      if (dedupKey) {
        await tx.action.updateMany({
          where: { tnId, dedupKey, status: { in: ['A', 'C', 'N'] }, actionId: { not: actionId } },
          data: { status: 'D' },
        });
      }
      await tx.action.updateMany({
        where: { tnId, actionId, status: 'V' },
        data: { status, dedupKey: dedupKey ?? null },
      });
    });
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
