import { Inject, Injectable } from '@nestjs/common';
import { type AuthDb, type Ref } from '@cloudillo/db-auth';
import { type RefType } from '@cloudillo/contracts';

import { AUTH_DB } from '../tokens';

export interface NewRef {
  refId: string;
  tnId: number;
  type: RefType;
  createdBy: string;
  description?: string | undefined;
  resourceId?: string | undefined;
  accessLevel?: 'R' | 'C' | 'W' | undefined;
  params?: string | undefined;
  count?: number | null | undefined;
  expiresAt?: Date | null | undefined;
}

export type RefChange = Pick<NewRef, 'description' | 'count' | 'expiresAt'>;

/** Refs of one tenant at a time: every query carries its tn_id. */
@Injectable()
export class RefsRepository {
  constructor(@Inject(AUTH_DB) private readonly db: AuthDb) {}

  create(ref: NewRef): Promise<Ref> {
    return this.db.ref.create({ data: ref });
  }

  /** The tenant's refs, of `type` if given, of the `among` types only if given. */
  list(tnId: number, type: RefType | undefined, among?: readonly RefType[]): Promise<Ref[]> {
    return this.db.ref.findMany({
      where: { tnId, ...(type ? { type } : among ? { type: { in: [...among] } } : {}) },
      orderBy: { createdAt: 'desc' },
      take: 1000,
    });
  }

  find(tnId: number, refId: string): Promise<Ref | null> {
    return this.db.ref.findFirst({ where: { tnId, refId } });
  }

  async update(tnId: number, refId: string, change: RefChange): Promise<Ref | null> {
    const { count } = await this.db.ref.updateMany({ where: { tnId, refId }, data: change });
    return count === 0 ? null : this.find(tnId, refId);
  }

  async delete(tnId: number, refId: string): Promise<boolean> {
    const { count } = await this.db.ref.deleteMany({ where: { tnId, refId } });
    return count === 1;
  }

  /**
   * Takes one use in a single statement: a ref with uses left (or unlimited) and not expired.
   * Returns the ref as it was, or undefined when there was nothing to take.
   */
  async takeUse(
    tnId: number,
    refId: string,
    types: readonly string[],
    now: Date,
  ): Promise<Ref | undefined> {
    const rows = await this.db.$queryRaw<Ref[]>`
      update refs set count = case when count is null then null else count - 1 end
       where tn_id = ${tnId} and ref_id = ${refId} and type = any(${types as string[]})
         and (count is null or count > 0) and (expires_at is null or expires_at > ${now})
      returning ref_id as "refId", tn_id as "tnId", type, description, resource_id as "resourceId",
                access_level as "accessLevel", params, count, created_by as "createdBy",
                created_at as "createdAt", expires_at as "expiresAt"`;
    return rows[0];
  }

  async giveBack(tnId: number, refId: string): Promise<boolean> {
    const rows = await this.db.$executeRaw`
      update refs set count = count + 1 where tn_id = ${tnId} and ref_id = ${refId} and count is not null`;
    return rows === 1;
  }
}
