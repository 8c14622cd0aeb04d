import { Inject, Injectable } from '@nestjs/common';
import { type AuthDb } from '@cloudillo/db-auth';
import { type TenantContext } from '@cloudillo/tenancy';

import { AUTH_DB } from '../tokens';

/** A tenant's password hash and address, one row per tenant (kept with its id_tag, for operators). */
@Injectable()
export class CredentialsRepository {
  constructor(@Inject(AUTH_DB) private readonly db: AuthDb) {}

  async passwordHash(tnId: number): Promise<string | undefined> {
    const row = await this.db.credential.findUnique({
      where: { tnId },
      select: { passwordHash: true },
    });
    return row?.passwordHash ?? undefined;
  }

  async email(tnId: number): Promise<string | undefined> {
    const row = await this.db.credential.findUnique({ where: { tnId }, select: { email: true } });
    return row?.email ?? undefined;
  }

  async setEmail({ tnId, idTag }: TenantContext, email: string): Promise<void> {
    await this.db.credential.upsert({
      where: { tnId },
      create: { tnId, idTag, email },
      update: { idTag, email },
    });
  }

  async setPassword({ tnId, idTag }: TenantContext, passwordHash: string): Promise<void> {
    await this.db.credential.upsert({
      where: { tnId },
      create: { tnId, idTag, passwordHash },
      update: { idTag, passwordHash },
    });
  }

  /** Removes the tenant's row; returns how many there were (0 once already removed). */
  async delete(tnId: number): Promise<number> {
    const { count } = await this.db.credential.deleteMany({ where: { tnId } });
    return count;
  }
}
