import { Injectable } from '@nestjs/common';
import { type TenantContext } from '@cloudillo/tenancy';

import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { SessionsService } from '../sessions/sessions.service';
import { CredentialsRepository } from './credentials.repository';
import { PasswordHasher } from './password-hasher';

@Injectable()
export class CredentialsService {
  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysRepository,
  ) {}

  async check(tnId: number, password: string): Promise<boolean> {
    return this.hasher.verify(await this.credentials.passwordHash(tnId), password);
  }

  /**
   * Sets a password, deletes the tenant's API keys (made under the old one, they may be what
   * leaked) and revokes its other sessions, theirs included; returns how many were revoked.
   */
  async setPassword(tenant: TenantContext, password: string, keepSid?: string): Promise<number> {
    await this.credentials.setPassword(tenant, await this.hasher.hash(password));
    await this.apiKeys.deleteAll(tenant.tnId);
    return this.sessions.revokeAll(tenant.tnId, keepSid);
  }
}
