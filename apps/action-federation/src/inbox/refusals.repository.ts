import { Inject, Injectable } from '@nestjs/common';
import { type Pool } from 'pg';

import { FED_PG } from '../tokens';

/** Refused tokens past their retention, and the counters per tenant and issuer they leave. */
@Injectable()
export class RefusalsRepository {
  constructor(@Inject(FED_PG) private readonly pool: Pool) {}

  /**
   * Deletes up to `limit` refused (`F`) rows received more than `olderThanMs` ago, and related
   * tokens that waited as long for an action naming them, adding the refused ones to their
   * issuer's counter (one statement); returns how many rows went.
   */
  async purge(olderThanMs: number, limit: number): Promise<number> {
    const { rows } = await this.pool.query<{ purged: string }>(
      `with purged as (
         delete from actions where (tn_id, action_id) in (
           select tn_id, action_id from actions
           where (status = 'F' or (status = 'V' and pre_approved))
             and received_at < now() - make_interval(secs => $1)
           limit $2)
         returning tn_id, issuer, status),
       counted as (
         insert into refusals (tn_id, issuer, count, last_at)
         select tn_id, issuer, count(*), now() from purged where status = 'F'
         group by tn_id, issuer
         on conflict (tn_id, issuer)
           do update set count = refusals.count + excluded.count, last_at = excluded.last_at)
       select count(*) as purged from purged`,
      [olderThanMs / 1000, limit],
    );
    return Number(rows[0]?.purged ?? 0);
  }

  /** Keeps the counters of the `kept` issuers with the most refusals. */
  async trimCounters(kept: number): Promise<void> {
    await this.pool.query(
      `delete from refusals where (tn_id, issuer) not in (
         select tn_id, issuer from refusals order by count desc, last_at desc limit $1)`,
      [kept],
    );
  }

  /** A tenant's counters, busiest first (operators; tests). */
  async counters(tnId: number): Promise<{ issuer: string; count: number }[]> {
    const { rows } = await this.pool.query<{ issuer: string; count: number }>(
      `select issuer, count from refusals where tn_id = $1 order by count desc, issuer`,
      [tnId],
    );
    return rows;
  }
}
