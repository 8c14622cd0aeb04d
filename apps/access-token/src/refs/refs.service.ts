import { Inject, Injectable } from '@nestjs/common';
import { type RefType } from '@cloudillo/contracts';
import { type Ref } from '@cloudillo/db-auth';
import { AppError, ForbiddenError, NotFoundError, SERVER_ADMIN_ROLE } from '@cloudillo/protocol';
import { type AuthContext } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';

import { randomId } from '../keys/token-issuer';
import { CLOCK, type Clock } from '../tokens';
import { type NewRef, type RefChange, RefsRepository } from './refs.repository';

/** Refs a tenant's leaders may make through the API; the rest are made by the system. */
const USER_TYPES: readonly RefType[] = ['share.file', 'profile.invite', 'register'];

export type RefRequest = Omit<NewRef, 'refId' | 'tnId' | 'createdBy'>;

@Injectable()
export class RefsService {
  constructor(
    private readonly refs: RefsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(tenant: TenantContext, caller: AuthContext, request: RefRequest): Promise<Ref> {
    if (!USER_TYPES.includes(request.type))
      throw new ForbiddenError(`${request.type} refs are made by the system`);
    // Invitations to register on this provider, or to create a community on it, are the server
    // admin's to give (identity takes them at the base tenant).
    const adminOnly = request.type === 'register' || request.type === 'profile.invite';
    if (adminOnly && !(caller.owner && caller.roles.has(SERVER_ADMIN_ROLE))) {
      throw new ForbiddenError(`only the server admin issues ${request.type} refs`);
    }
    return this.issue(tenant, caller.subject, request);
  }

  /** A ref made by the system for `tenant` (welcome and password links, activation codes). */
  async issue(tenant: TenantContext, createdBy: string, request: RefRequest): Promise<Ref> {
    return this.refs.create({
      ...request,
      refId: randomId(),
      tnId: tenant.tnId,
      createdBy,
    });
  }

  /**
   * The tenant's refs; system ones (welcome, password, activation links: each sets the password
   * or activates the identity) for its owner only, not for leaders it gave the role.
   */
  async list(
    tenant: TenantContext,
    caller: AuthContext,
    type: RefType | undefined,
  ): Promise<Ref[]> {
    if (!caller.owner && type !== undefined && !USER_TYPES.includes(type)) return [];
    return this.refs.list(tenant.tnId, type, caller.owner ? undefined : USER_TYPES);
  }

  async update(tenant: TenantContext, refId: string, change: RefChange): Promise<Ref> {
    const ref = await this.refs.update(tenant.tnId, refId, change);
    if (!ref) throw new NotFoundError('no such ref');
    return ref;
  }

  async delete(tenant: TenantContext, refId: string): Promise<void> {
    if (!(await this.refs.delete(tenant.tnId, refId))) throw new NotFoundError('no such ref');
  }

  /** A ref anyone holding its id may look at, while it can still be used. */
  async publicView(tenant: TenantContext, refId: string): Promise<Ref> {
    const ref = await this.refs.find(tenant.tnId, refId);
    if (!ref || !this.usable(ref)) throw new NotFoundError('no such ref');
    return ref;
  }

  async consume(tenant: TenantContext, refId: string, types: readonly RefType[]): Promise<Ref> {
    const taken = await this.refs.takeUse(tenant.tnId, refId, types, this.clock());
    if (taken) return taken;
    const ref = await this.refs.find(tenant.tnId, refId);
    if (!ref || !types.includes(ref.type as RefType)) throw new NotFoundError('no such ref');
    throw new AppError('E-CORE-GONE', 'this ref has expired or been used up');
  }

  /**
   * `GET /api/auth/access-token?refId=` (protocol §4.3): a share link becomes an anonymous token
   * scoped to its file. Each exchange uses one of the link's uses. A refresh presenting the
   * link's previous token (`renewing`: anonymous, with the link's scope) renews it without using
   * one, while the link exists and has not expired — even with no uses left; any other refresh
   * is an exchange. A deleted link renews nothing (404), an expired one neither (410).
   */
  async shareLinkToken(
    tenant: TenantContext,
    refId: string,
    renewing?: AuthContext,
  ): Promise<{ ref: Ref; scope: string }> {
    const link = await this.refs.find(tenant.tnId, refId);
    const renews =
      link !== null &&
      renewing?.anonymous === true &&
      renewing.scope === `file:${link.resourceId}:${link.accessLevel}`;
    if (renews && link.expiresAt !== null && link.expiresAt.getTime() <= this.clock().getTime())
      throw new AppError('E-CORE-GONE', 'this share link has expired');
    const ref = renews ? link : await this.consume(tenant, refId, ['share.file']);
    if (ref.type !== 'share.file' || !ref.resourceId || !ref.accessLevel)
      throw new NotFoundError('no such share link');
    return { ref, scope: `file:${ref.resourceId}:${ref.accessLevel}` };
  }

  async release(tenant: TenantContext, refId: string): Promise<boolean> {
    return this.refs.giveBack(tenant.tnId, refId);
  }

  private usable(ref: Ref): boolean {
    const now = this.clock().getTime();
    return (
      (ref.count === null || ref.count > 0) &&
      (ref.expiresAt === null || ref.expiresAt.getTime() > now)
    );
  }
}
