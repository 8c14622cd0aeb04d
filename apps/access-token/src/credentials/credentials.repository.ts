import { Inject, Injectable } from '@nestjs/common';
import { type AuthDb } from '@cloudillo/db-auth';

import { AUTH_DB } from '../tokens';

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

  async setEmail(tnId: number, idTag: string, email: string): Promise<void> {
    await this.db.credential.upsert({
      where: { tnId },
      create: { tnId, idTag, email },
      update: { idTag, email },
    });
  }

  async setPassword(tnId: number, idTag: string, passwordHash: string): Promise<void> {
    await this.db.credential.upsert({
      where: { tnId },
      create: { tnId, idTag, passwordHash },
      update: { idTag, passwordHash },
    });
  }
}
