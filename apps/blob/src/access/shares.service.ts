import { Injectable } from '@nestjs/common';
import { type AuthContext } from '@cloudillo/http';
import { NotFoundError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { FileRecordsRepository } from '../files/file-records.repository';
import { atLeast, FileAccess } from './file-access';
import { ShareOffers } from './share-offers';
import { type ShareView, shareViewOf } from './share-view';
import { type NewShare, type ShareChange, SharesRepository } from './shares.repository';

/**
 * Share entries (protocol §5.2): only a caller with `A` on the file manages them, and the user a
 * share is with hears of each change (`ShareOffers`).
 */
@Injectable()
export class SharesService {
  constructor(
    private readonly shares: SharesRepository,
    private readonly records: FileRecordsRepository,
    private readonly access: FileAccess,
    private readonly offers: ShareOffers,
  ) {}

  async list(tenant: TenantContext, caller: AuthContext, fileId: string): Promise<ShareView[]> {
    const file = await this.managed(tenant, caller, fileId);
    return (await this.shares.ofFile(tenant.tnId, file.fId)).map((s) => shareViewOf(s, fileId));
  }

  async create(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    share: NewShare,
  ): Promise<ShareView> {
    const file = await this.managed(tenant, caller, fileId);
    const created = await this.shares.create(tenant.tnId, file.fId, share, caller.subject);
    await this.offers.changed(tenant, file, created);
    return shareViewOf(created, fileId);
  }

  async update(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    shareId: number,
    change: ShareChange,
  ): Promise<ShareView> {
    const file = await this.managed(tenant, caller, fileId);
    const updated = await this.shares.update(tenant.tnId, file.fId, shareId, change);
    if (!updated) throw new NotFoundError('no such share');
    // Only the permission is in the FSHR; an expiry is this node's business.
    if (change.permission) await this.offers.changed(tenant, file, updated);
    return shareViewOf(updated, fileId);
  }

  async remove(
    tenant: TenantContext,
    caller: AuthContext,
    fileId: string,
    shareId: number,
  ): Promise<void> {
    const file = await this.managed(tenant, caller, fileId);
    const removed = await this.shares.remove(tenant.tnId, file.fId, shareId);
    if (!removed) throw new NotFoundError('no such share');
    await this.offers.changed(tenant, file, removed);
  }

  /** The tenant's shares to one subject. */
  async bySubject(
    tenant: TenantContext,
    subjectType: string,
    subjectId: string,
  ): Promise<ShareView[]> {
    const shares = await this.shares.bySubject(tenant.tnId, subjectType, subjectId);
    const ids = await this.records.idsOf(
      tenant.tnId,
      shares.map((s) => s.fId),
    );
    return shares.map((s) => shareViewOf(s, ids.get(s.fId) ?? ''));
  }

  /** The file, if the caller may manage its shares; 404 otherwise (its existence stays hidden). */
  private async managed(tenant: TenantContext, caller: AuthContext, fileId: string) {
    const file = await this.records.find(tenant.tnId, fileId);
    if (!file || !atLeast(await this.access.levelOf(tenant, caller, file), 'A'))
      throw new NotFoundError('no such file');
    return file;
  }
}
