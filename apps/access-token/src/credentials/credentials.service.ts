import { Injectable } from '@nestjs/common';

import { SessionsService } from '../sessions/sessions.service';
import { CredentialsRepository } from './credentials.repository';
import { PasswordHasher } from './password-hasher';

@Injectable()
export class CredentialsService {
  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
  ) {}

  async check(tnId: number, password: string): Promise<boolean> {
    return this.hasher.verify(await this.credentials.passwordHash(tnId), password);
  }

  /** Sets a password and revokes the tenant's other sessions; returns how many were revoked. */
  async setPassword(
    tnId: number,
    idTag: string,
    password: string,
    keepSid?: string,
  ): Promise<number> {
    await this.credentials.setPassword(tnId, idTag, await this.hasher.hash(password));
    return this.sessions.revokeAll(tnId, keepSid);
  }
}
