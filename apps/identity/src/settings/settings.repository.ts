import { Inject, Injectable } from '@nestjs/common';
import { type IdentityDb, type Prisma } from '@cloudillo/db-identity';

import { IDENTITY_DB } from '../tokens';

/** The settings a tenant changed from their defaults; every query is scoped by tn_id. */
@Injectable()
export class SettingsRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  async values(tnId: number, names?: readonly string[]): Promise<Map<string, unknown>> {
    const rows = await this.db.tenantSetting.findMany({
      where: { tnId, ...(names ? { name: { in: [...names] } } : {}) },
    });
    return new Map(rows.map((r) => [r.name, r.value]));
  }

  async set(tnId: number, name: string, value: unknown): Promise<void> {
    const json = value as Prisma.InputJsonValue;
    await this.db.tenantSetting.upsert({
      where: { tnId_name: { tnId, name } },
      create: { tnId, name, value: json },
      update: { value: json },
    });
  }

  async reset(tnId: number, name: string): Promise<void> {
    await this.db.tenantSetting.deleteMany({ where: { tnId, name } });
  }
}
