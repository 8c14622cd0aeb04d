import { Inject, Injectable } from '@nestjs/common';
import { type AuthDb } from '@cloudillo/db-auth';
import { type TenantContext } from '@cloudillo/tenancy';

import { AUTH_DB } from '../tokens';

export interface RevokedSession {
  sid: string;
  /** Unix seconds: after this no token of the session is valid anyway. */
  until: number;
}

const seconds = (date: Date) => Math.ceil(date.getTime() / 1000);

/** Login sessions; revoking one revokes every token issued in it. */
@Injectable()
export class SessionsRepository {
  constructor(@Inject(AUTH_DB) private readonly db: AuthDb) {}

  /** A login session of the tenant's own user: its subject is the tenant itself. */
  async create(sid: string, tenant: TenantContext, lastExp: number): Promise<void> {
    await this.db.session.create({
      data: { sid, tnId: tenant.tnId, subject: tenant.idTag, lastExp: new Date(lastExp * 1000) },
    });
  }

  /** Records a newer token of a live session; false when the session is gone or revoked. */
  async extend(sid: string, exp: number): Promise<boolean> {
    const { count } = await this.db.session.updateMany({
      where: { sid, revokedAt: null, lastExp: { lt: new Date(exp * 1000) } },
      data: { lastExp: new Date(exp * 1000) },
    });
    if (count === 1) return true;
    return (await this.db.session.count({ where: { sid, revokedAt: null } })) === 1;
  }

  /** Revokes one session of a tenant; undefined when there is no such live session. */
  async revoke(tnId: number, sid: string, now: Date): Promise<RevokedSession | undefined> {
    const rows = await this.db.session.updateManyAndReturn({
      where: { sid, tnId, revokedAt: null },
      data: { revokedAt: now },
      select: { sid: true, lastExp: true },
    });
    return rows.map((r) => ({ sid: r.sid, until: seconds(r.lastExp) }))[0];
  }

  /**
   * Revokes every session of a tenant but `keep` (the caller's own, on a password change) —
   * those whose last token has expired too: a session (an API key's above all) may mint again.
   */
  async revokeAll(tnId: number, now: Date, keep?: string): Promise<RevokedSession[]> {
    const rows = await this.db.session.updateManyAndReturn({
      where: {
        tnId,
        revokedAt: null,
        ...(keep ? { sid: { not: keep } } : {}),
      },
      data: { revokedAt: now },
      select: { sid: true, lastExp: true },
    });
    return rows.map((r) => ({ sid: r.sid, until: seconds(r.lastExp) }));
  }

  /** Revoked sessions whose tokens could still be presented. */
  async listRevoked(now: Date): Promise<RevokedSession[]> {
    const rows = await this.db.session.findMany({
      where: { revokedAt: { not: null }, lastExp: { gt: now } },
      select: { sid: true, lastExp: true },
    });
    return rows.map((r) => ({ sid: r.sid, until: seconds(r.lastExp) }));
  }
}
