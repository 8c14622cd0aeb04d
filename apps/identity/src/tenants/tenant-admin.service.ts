import { Inject, Injectable, Logger } from '@nestjs/common';
import { ContractClient, type TenantView } from '@cloudillo/contracts';
import {
  ConflictError,
  NotFoundError,
  type ProfileType,
  SERVER_ADMIN_ROLE,
} from '@cloudillo/protocol';

import { type IdentityConfig } from '../config';
import { KeyRotationService } from '../keys/key-rotation.service';
import { KeyVault } from '../keys/key-vault';
import { IDENTITY_CONFIG } from '../tokens';
import { defaultTenantName } from './tenant';
import { TenantAdminRepository } from './tenant-admin.repository';
import { TenantEvents } from './tenant-events';
import { TenantsService } from './tenants.service';

@Injectable()
export class TenantAdminService {
  private readonly logger = new Logger(TenantAdminService.name);

  constructor(
    private readonly admin: TenantAdminRepository,
    private readonly tenants: TenantsService,
    private readonly rotation: KeyRotationService,
    private readonly vault: KeyVault,
    private readonly rpc: ContractClient,
    private readonly events: TenantEvents,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async create(input: {
    idTag: string;
    type: ProfileType;
    name?: string | undefined;
  }): Promise<TenantView> {
    if (await this.admin.view(input.idTag))
      throw new ConflictError(`${input.idTag} already exists`);
    await this.tenants.ensureTenant({
      idTag: input.idTag,
      type: input.type,
      name: input.name ?? defaultTenantName(input.idTag),
      roles: [],
    });
    return this.get(input.idTag);
  }

  async get(idTag: string): Promise<TenantView> {
    const view = await this.admin.view(idTag);
    if (!view) throw new NotFoundError(`no tenant ${idTag}`);
    return view;
  }

  async list(
    search: string | undefined,
    after: number,
    limit: number,
  ): Promise<{ items: TenantView[]; next?: number }> {
    const items = await this.admin.list(search, after, limit + 1);
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return items.length > limit && last ? { items: page, next: last.tnId } : { items: page };
  }

  async setStatus(idTag: string, status: 'A' | 'S'): Promise<TenantView> {
    this.refuseBase(idTag, status === 'S' ? 'suspended' : 'changed');
    const view = await this.admin.setStatus(idTag, status);
    if (!view) throw new NotFoundError(`no tenant ${idTag}`);
    await this.events.statusChanged(view, status);
    return view;
  }

  /** `PATCH /api/admin/profiles/{idTag}`: name, roles and status of a tenant. */
  async update(
    idTag: string,
    change: {
      name?: string | undefined;
      roles?: string[] | undefined;
      status?: 'A' | 'S' | undefined;
    },
  ): Promise<TenantView> {
    if (change.roles !== undefined && !change.roles.includes(SERVER_ADMIN_ROLE)) {
      this.refuseBase(idTag, `left without ${SERVER_ADMIN_ROLE}`);
    }
    if (change.status !== undefined) await this.setStatus(idTag, change.status);
    const fields = {
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.roles === undefined ? {} : { roles: [...new Set(change.roles)] }),
    };
    const view = await this.admin.update(idTag, fields);
    if (!view) throw new NotFoundError(`no tenant ${idTag}`);
    if (fields.name !== undefined) await this.events.profileChanged(view);
    return view;
  }

  async purge(idTag: string): Promise<{ idTag: string; tnId: number }> {
    this.refuseBase(idTag, 'purged');
    const tnId = await this.admin.markPurged(idTag);
    if (tnId === undefined) throw new NotFoundError(`no tenant ${idTag}`);
    this.vault.forget(idTag);
    await this.events.purged({ idTag, tnId });
    this.logger.log(`purged tenant ${idTag} (tn_id ${tnId})`);
    return { idTag, tnId };
  }

  /**
   * The purge saga's retry: every recent tombstone is announced again. Consumers are idempotent
   * (deleting what is already gone is a no-op), so a service that was down catches up.
   */
  async reannouncePurges(): Promise<number> {
    const since = new Date(Date.now() - this.config.purge.reannounceForMs);
    const purged = await this.admin.recentlyPurged(since);
    for (const tenant of purged) await this.events.purged(tenant);
    return purged.length;
  }

  async rotateKey(idTag: string): Promise<{ keyId: string; signsFrom: string }> {
    const tenant = await this.tenants.resolve(idTag);
    const rotated = await this.rotation.rotate(tenant);
    if (!rotated) throw new ConflictError(`${idTag} is being rotated by another request`);
    return { keyId: rotated.keyId, signsFrom: rotated.signsFrom.toISOString() };
  }

  /** The base tenant is the server admin: losing it locks every operator out. */
  private refuseBase(idTag: string, what: string): void {
    if (idTag === this.config.baseTenant.idTag)
      throw new ConflictError(`the base tenant cannot be ${what}`);
  }
}
