import { Inject, Injectable } from '@nestjs/common';
import { randomToken, secretDigest } from '@cloudillo/crypto';
import { NotFoundError, UnauthorizedError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { randomId, TokenIssuer } from '../keys/token-issuer';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { ownerRoles } from '../tenants/owner-roles';
import { TenantProfiles } from '../tenants/tenant-profiles';
import { CLOCK, type Clock } from '../tokens';
import { type ApiKeyView, toApiKeyView } from './api-key-view';
import { type ApiKeyChange, ApiKeysRepository } from './api-keys.repository';

export const API_KEY_PREFIX = 'cl_';

/**
 * `cl_` keys (protocol §4.5): made by the tenant's owner, exchanged for the owner's tokens (no
 * longer than the key lives); deleted, expired or taken away by a password change, they mint none.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly profiles: TenantProfiles,
    private readonly issuer: TokenIssuer,
    private readonly sessions: SessionsRepository,
    private readonly revocations: SessionsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(
    tenant: TenantContext,
    input: { name?: string | undefined; scopes?: string | undefined; expiresAt?: Date | undefined },
  ): Promise<ApiKeyView & { plaintextKey: string }> {
    const plaintextKey = `${API_KEY_PREFIX}${randomToken(32)}`;
    const key = await this.keys.create(
      tenant,
      {
        keyPrefix: plaintextKey.slice(0, API_KEY_PREFIX.length + 8),
        keyHash: secretDigest(plaintextKey),
        sid: randomId(),
        ...input,
      },
      this.clock(),
    );
    return { ...toApiKeyView(key), plaintextKey };
  }

  async list(tenant: TenantContext): Promise<ApiKeyView[]> {
    return (await this.keys.list(tenant.tnId)).map(toApiKeyView);
  }

  async get(tenant: TenantContext, keyId: number): Promise<ApiKeyView> {
    const key = await this.keys.find(tenant.tnId, keyId);
    if (!key) throw new NotFoundError('no such API key');
    return toApiKeyView(key);
  }

  async update(tenant: TenantContext, keyId: number, change: ApiKeyChange): Promise<ApiKeyView> {
    const key = await this.keys.update(tenant.tnId, keyId, change);
    if (!key) throw new NotFoundError('no such API key');
    return toApiKeyView(key);
  }

  /** Deletes a key (by id, or by its plaintext on logout); every token it produced stops at once. */
  async delete(
    tenant: TenantContext,
    which: { keyId: number } | { plaintext: string },
  ): Promise<boolean> {
    const key = await this.keys.delete(
      tenant.tnId,
      'keyId' in which ? { keyId: which.keyId } : { keyHash: secretDigest(which.plaintext) },
    );
    if (!key) return false;
    await this.revocations.revoke(tenant.tnId, key.sid);
    return true;
  }

  /** `GET /api/auth/access-token?apiKey=`: the key's scopes, the owner's roles. */
  async exchange(tenant: TenantContext, plaintext: string): Promise<{ token: string }> {
    const key = plaintext.startsWith(API_KEY_PREFIX)
      ? await this.keys.use(tenant.tnId, secretDigest(plaintext), this.clock())
      : undefined;
    if (!key) throw new UnauthorizedError('API key is not valid here');
    const { token, exp } = await this.issuer.issue({
      tenant: tenant.idTag,
      subject: tenant.idTag,
      roles: ownerRoles(await this.profiles.of(tenant)),
      ...(key.scopes ? { scope: key.scopes } : {}),
      sid: key.sid,
      ...(key.expiresAt ? { notAfter: Math.floor(key.expiresAt.getTime() / 1000) } : {}),
    });
    // A revoked key session mints nothing: a token past its revocation would outlive the record.
    if (!(await this.sessions.extend(key.sid, exp)))
      throw new UnauthorizedError('API key is revoked');
    return { token };
  }

  /** The live key behind a token's session, if the session is a key's; for refreshes. */
  async keyOfSession(
    sid: string,
  ): Promise<{ expiresAt: Date | null; scopes: string | null } | undefined> {
    return (await this.keys.findBySid(sid)) ?? undefined;
  }
}
