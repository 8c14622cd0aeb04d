import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomToken, secretDigest } from '@cloudillo/crypto';
import { type IdpIdentity } from '@cloudillo/db-identity';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '@cloudillo/protocol';

import { type IdentityConfig } from '../config';
import { addressType } from '../registration/domain-resolver';
import { TenantsRepository } from '../tenants/tenants.repository';
import { CLOCK, type Clock, IDENTITY_CONFIG } from '../tokens';
import { type IdpApiKeyView, type IdpStatus, toApiKeyView } from './idp-identity';
import {
  type IdentityChange,
  type IdpListFilter,
  IdpRepository,
  type NewApiKey,
} from './idp.repository';

export type IdpConfig = NonNullable<IdentityConfig['idp']>;

export interface IdpRegistration {
  registrarIdTag: string;
  registrarAddress?: string | undefined;
  idTag: string;
  email?: string | undefined;
  ownerIdTag?: string | undefined;
  address?: string | undefined;
  lang?: string | undefined;
  /** The IdP's own leaders vouch for what they create: active at once, no activation code. */
  activeNow?: boolean;
}

export interface IdpRegistrationResult {
  success: boolean;
  message: string;
  identityStatus?: IdpStatus;
  activationRef?: string;
  apiKey?: string;
}

const API_KEY_PREFIX = 'idp_';

function newApiKey(name?: string, expiresAt?: Date): { plaintext: string; stored: NewApiKey } {
  const plaintext = `${API_KEY_PREFIX}${randomToken(32)}`;
  return {
    plaintext,
    stored: {
      keyPrefix: plaintext.slice(0, API_KEY_PREFIX.length + 8),
      keyHash: secretDigest(plaintext),
      ...(name ? { name } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    },
  };
}

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** An identity's address: a comma-separated list of IPs, or one host name. */
export function isValidAddress(value: string): boolean {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 1 && HOST_NAME.test(value.trim().toLowerCase())) return true;
  return parts.length <= 8 && parts.every((p) => addressType(p) !== 'hostname');
}

/** The type of an address list: that of its first entry. */
function addressTypeOf(address: string): string {
  const [first = address] = address.split(',');
  return addressType(first.trim());
}

/** Only `<one label>.<idp domain>`; undefined when `idTag` is not one of ours. */
export function prefixOf(idTag: string, domain: string): string | undefined {
  if (!idTag.endsWith(`.${domain}`)) return undefined;
  const prefix = idTag.slice(0, -domain.length - 1);
  return prefix !== '' && !prefix.includes('.') ? prefix : undefined;
}

/**
 * The identity-provider role (protocol §1.5): identities under this deployment's IdP domain,
 * registered by other nodes (IDP:REG) or by the IdP's own leaders, activated with a one-time
 * code within the pending window, their addresses kept current with `idp_` keys.
 */
@Injectable()
export class IdpService {
  private readonly logger = new Logger(IdpService.name);

  constructor(
    private readonly repo: IdpRepository,
    private readonly tenants: TenantsRepository,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** This deployment's IdP settings, or 404 when it plays no IdP role. */
  idp(): IdpConfig {
    if (!this.config.idp) throw new NotFoundError('not an identity provider');
    return this.config.idp;
  }

  /** Free when neither a tenant here nor an identity record holds it. */
  async available(idTag: string): Promise<boolean> {
    return (
      (await this.tenants.findByIdTag(idTag)) === undefined &&
      (await this.repo.find(idTag)) === null
    );
  }

  /**
   * `IDP:REG` (and the IdP's own POST /api/idp/identities): a pending identity, an activation
   * code and a 24-hour `idp_` key. Refusals are answers (`success: false`), as the reference's
   * registrars expect, except for malformed input.
   */
  async register(input: IdpRegistration): Promise<IdpRegistrationResult> {
    const idp = this.idp();
    if (!prefixOf(input.idTag, idp.domain)) {
      return { success: false, message: `${input.idTag} is not one label under ${idp.domain}` };
    }
    if (!(await this.available(input.idTag)))
      return { success: false, message: `${input.idTag} is taken` };
    const now = this.clock();
    const address = input.address === 'auto' ? input.registrarAddress : input.address;
    if (address !== undefined && !isValidAddress(address)) {
      return { success: false, message: 'address must be IPs (comma-separated) or one host name' };
    }
    const activationRef = randomToken(16);
    const key = newApiKey('registration', new Date(now.getTime() + idp.pendingMs));
    const quota = await this.quotaOf(input.registrarIdTag);
    const created = await this.repo
      .create(
        {
          idTag: input.idTag,
          registrarIdTag: input.registrarIdTag,
          email: input.email,
          ownerIdTag: input.ownerIdTag,
          lang: input.lang,
          ...(address ? { address, addressType: addressTypeOf(address) } : {}),
          ...(input.activeNow
            ? { status: 'active' as const, expiresAt: new Date(now.getTime() + idp.renewalMs) }
            : {
                status: 'pending' as const,
                activationHash: secretDigest(activationRef),
                expiresAt: new Date(now.getTime() + idp.pendingMs),
              }),
        },
        quota.maxIdentities,
        key.stored,
      )
      .catch((error: unknown) => {
        if (error instanceof ConflictError) return 'taken' as const;
        throw error;
      });
    if (created === 'taken') return { success: false, message: `${input.idTag} is taken` };
    if (created === 'quota') {
      return {
        success: false,
        message: `${input.registrarIdTag} has used its quota of ${quota.maxIdentities} identities`,
      };
    }
    this.logger.log(`registered ${input.idTag} for ${input.registrarIdTag} (pending)`);
    if (input.activeNow) {
      return { success: true, message: 'active', identityStatus: 'active', apiKey: key.plaintext };
    }
    return {
      success: true,
      message: 'pending activation',
      identityStatus: 'pending',
      activationRef,
      apiKey: key.plaintext,
    };
  }

  /** `POST /api/idp/activate {refId}`. */
  async activate(refId: string): Promise<{ idTag: string; status: IdpStatus }> {
    const now = this.clock();
    const row = await this.repo.activate(
      secretDigest(refId),
      now,
      new Date(now.getTime() + this.idp().renewalMs),
    );
    if (!row) throw new AppError('E-CORE-GONE', 'this activation code is unknown, used or expired');
    return { idTag: row.idTag, status: 'active' };
  }

  /** A fresh activation code for a pending identity, with a fresh window. */
  async resend(idTag: string): Promise<{ activationRef: string; expiresAt: string }> {
    const row = await this.get(idTag);
    if (row.status !== 'pending') throw new ConflictError(`${idTag} is ${row.status}, not pending`);
    const activationRef = randomToken(16);
    const expiresAt = new Date(this.clock().getTime() + this.idp().pendingMs);
    await this.repo.update(idTag, { activationHash: secretDigest(activationRef), expiresAt });
    return { activationRef, expiresAt: expiresAt.toISOString() };
  }

  async get(idTag: string): Promise<IdpIdentity> {
    const row = await this.repo.find(idTag);
    if (!row) throw new NotFoundError(`no identity ${idTag}`);
    return row;
  }

  list(filter: IdpListFilter, after: string | undefined, limit: number) {
    return this.repo.list(filter, after, limit);
  }

  async update(idTag: string, change: IdentityChange): Promise<IdpIdentity> {
    if (change.status === 'pending')
      throw new ValidationError('an identity cannot go back to pending');
    const current = await this.get(idTag);
    if (change.status && current.status === 'pending') {
      throw new ConflictError(`${idTag} must be activated first`);
    }
    const updated = await this.repo.update(idTag, change);
    if (!updated) throw new NotFoundError(`no identity ${idTag}`);
    return updated;
  }

  /** The identity's address: its own `idp_` key, or a leader of the IdP. */
  async setAddress(
    idTag: string,
    address: string,
    credential: { leader: boolean } | { apiKey: string },
  ): Promise<IdpIdentity> {
    if (!isValidAddress(address)) throw new ValidationError('address must be IPs or one host name');
    if ('apiKey' in credential) {
      const owner = await this.repo.identityOfKey(secretDigest(credential.apiKey), this.clock());
      if (owner !== idTag) throw new ForbiddenError('this key does not belong to that identity');
    } else if (!credential.leader) {
      throw new ForbiddenError('leaders of the identity provider only');
    }
    return this.update(idTag, {
      address,
      addressType: addressTypeOf(address),
      addressUpdatedAt: this.clock(),
    });
  }

  async delete(idTag: string): Promise<void> {
    if (!(await this.repo.delete(idTag))) throw new NotFoundError(`no identity ${idTag}`);
  }

  async createApiKey(
    idTag: string,
    name?: string,
  ): Promise<{ apiKey: IdpApiKeyView; plaintextKey: string }> {
    await this.get(idTag);
    const key = newApiKey(name);
    return {
      apiKey: toApiKeyView(await this.repo.addApiKey(idTag, key.stored)),
      plaintextKey: key.plaintext,
    };
  }

  async listApiKeys(idTag?: string): Promise<IdpApiKeyView[]> {
    return (await this.repo.listApiKeys(idTag)).map(toApiKeyView);
  }

  async deleteApiKey(id: number): Promise<void> {
    if (!(await this.repo.deleteApiKey(id))) throw new NotFoundError('no such key');
  }

  async quotaOf(registrar: string): Promise<{ maxIdentities: number; maxStorageBytes: number }> {
    const row = await this.repo.quota(registrar);
    return row
      ? { maxIdentities: row.maxIdentities, maxStorageBytes: Number(row.maxStorageBytes) }
      : this.idp().quota;
  }

  async setQuota(registrar: string, quota: { maxIdentities: number; maxStorageBytes: number }) {
    await this.repo.setQuota(registrar, quota.maxIdentities, quota.maxStorageBytes);
    return { registrarIdTag: registrar, ...quota, identities: await this.repo.countFor(registrar) };
  }

  /** The periodic sweep: never-activated identities are deleted once their window has passed. */
  async deleteExpired(): Promise<number> {
    if (!this.config.idp) return 0;
    const count = await this.repo.deleteExpiredPending(this.clock());
    if (count > 0) this.logger.log(`deleted ${count} never-activated identities`);
    return count;
  }
}
