import { Inject, Injectable, Logger } from '@nestjs/common';
import { ContractClient, fileShareGrant, getRelationship } from '@cloudillo/contracts';
import { type File } from '@cloudillo/db-blob';
import { type AuthContext, holdsRole } from '@cloudillo/http';
import {
  COMMUNITY_ROLES,
  ForbiddenError,
  NotFoundError,
  parseFileScope,
} from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';

import { FileRecordsRepository } from '../files/file-records.repository';
import { CLOCK, type Clock } from '../tokens';
import { SharesRepository } from './shares.repository';

/** Access levels, lowest first (protocol §5.2): none < R < C < W < A. */
export const ACCESS_LEVELS = ['none', 'R', 'C', 'W', 'A'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export function atLeast(level: AccessLevel, needed: AccessLevel): boolean {
  return ACCESS_LEVELS.indexOf(level) >= ACCESS_LEVELS.indexOf(needed);
}

function higher(a: AccessLevel, b: AccessLevel): AccessLevel {
  return atLeast(a, b) ? a : b;
}

function lower(a: AccessLevel, b: AccessLevel): AccessLevel {
  return atLeast(a, b) ? b : a;
}

/**
 * What the roles the tenant gave the caller reach (protocol §5.2 "community role"): the tenant's
 * own files — not those it keeps for others — are W for a contributor and up, R for any other
 * role it gave.
 */
function byCommunityRole(tenant: string, caller: AuthContext, file: File): AccessLevel {
  if (file.ownerTag !== null && file.ownerTag !== tenant) return 'none';
  if (holdsRole(caller, 'contributor')) return 'W';
  return COMMUNITY_ROLES.some((role) => caller.roles.has(role)) ? 'R' : 'none';
}

/** Routes about the tenant's files in general (lists, changes) are not for scoped tokens. */
export function refuseScoped(caller: AuthContext): void {
  if (caller.scope !== undefined)
    throw new ForbiddenError('a scoped token reaches only the file it names');
}

/**
 * What a caller may do with one of the tenant's files (protocol §5.2): the tenant's leaders
 * everything, the other roles it gave what {@link byCommunityRole} says; a scoped token (`file:{id}:{R|C|W}`) its level on that file or anything in that
 * folder — capped by what its user has, for a user's token, or by the container's link, for one
 * granted through a container (`via`) — and nothing else; a user their
 * share entries on the file or the folders above it, or else an FSHR the tenant signed; and
 * anyone the file's visibility lets read it (P anyone, V any user, F followers, C connections —
 * the relationship from identity; for a file kept for another identity, F and C only its owner).
 */
@Injectable()
export class FileAccess {
  private readonly logger = new Logger(FileAccess.name);

  constructor(
    private readonly shares: SharesRepository,
    private readonly records: FileRecordsRepository,
    private readonly rpc: ContractClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async levelOf(
    tenant: TenantContext,
    caller: AuthContext | undefined,
    file: File,
  ): Promise<AccessLevel> {
    const { tnId } = tenant;
    if (caller?.scope !== undefined) {
      const scope = parseFileScope(caller.scope);
      if (!scope) return 'none';
      const reached =
        scope.fileId === file.fileId || (await this.folders(tnId, file)).has(scope.fileId);
      if (!reached) return 'none';
      const granted: AccessLevel = scope.level;
      // Granted through a container (`via=`): as far as the container still links to it.
      if (caller.via !== undefined) {
        const link = await this.shares.link(tnId, scope.fileId, caller.via, this.clock());
        return link ? lower(granted, link.permission as AccessLevel) : 'none';
      }
      // A share link's token (no user) has what its link grants; a user's scoped token never
      // more than the user has (the scope is not checked when issued, protocol §4.3).
      if (caller.anonymous) return granted;
      const { scope: _scope, ...unscoped } = caller;
      return lower(granted, await this.levelOf(tenant, unscoped, file));
    }
    if (caller && !caller.anonymous && holdsRole(caller, 'leader')) return 'A';
    let level: AccessLevel = await this.byVisibility(tenant.idTag, caller, file);
    if (caller && !caller.anonymous) {
      level = higher(level, byCommunityRole(tenant.idTag, caller, file));
      const ids = [file.fId, ...(await this.folderRows(tnId, file))];
      const shares = await this.shares.forUser(tnId, ids, caller.subject, this.clock());
      for (const share of shares) level = higher(level, share.permission as AccessLevel);
      if (shares.length === 0)
        level = higher(level, await this.byFileShare(tenant.idTag, caller, file));
    }
    return level;
  }

  /**
   * The file a caller is about to change or mark, if it may: missing or unreadable is the same
   * 404 (no existence oracle); a file the tenant keeps for another identity is changed by its
   * leaders only (403); below `needed` is 403 — W to rename, move, tag or delete, A to change
   * who sees it.
   */
  async require(
    tenant: TenantContext,
    caller: AuthContext,
    file: File | null,
    needed: AccessLevel,
  ): Promise<File> {
    const refusal = await this.refusal(tenant, caller, file, needed);
    if (refusal) throw refusal;
    return file as File;
  }

  /** Whether `require` would let the caller through (for work over many files: the trash). */
  async allows(
    tenant: TenantContext,
    caller: AuthContext,
    file: File,
    needed: AccessLevel,
  ): Promise<boolean> {
    return (await this.refusal(tenant, caller, file, needed)) === undefined;
  }

  private async refusal(
    tenant: TenantContext,
    caller: AuthContext,
    file: File | null,
    needed: AccessLevel,
  ): Promise<Error | undefined> {
    const level = file ? await this.levelOf(tenant, caller, file) : 'none';
    if (!file || !atLeast(level, 'R')) return new NotFoundError('no such file');
    if (needed === 'R') return undefined;
    const keptForOther = file.ownerTag !== null && file.ownerTag !== tenant.idTag;
    if (keptForOther && !holdsRole(caller, 'leader'))
      return new ForbiddenError(`this file is kept for ${file.ownerTag}: only leaders change it`);
    if (!atLeast(level, needed))
      return new ForbiddenError(`this needs ${needed} on the file (you have ${level})`);
    return undefined;
  }

  /**
   * An FSHR the tenant signed for this user (protocol §5.2 "owner-issued FSHR"), when no share
   * entry speaks: it counts only for the tenant's own files. If action-federation cannot say,
   * the answer is no access (and a warning), never a guess.
   */
  private async byFileShare(tenant: string, caller: AuthContext, file: File): Promise<AccessLevel> {
    if (caller.subject === tenant || (file.ownerTag !== null && file.ownerTag !== tenant))
      return 'none';
    try {
      const { permission } = await this.rpc.request(fileShareGrant, {
        tenant,
        fileId: file.fileId,
        user: caller.subject,
      });
      return permission ?? 'none';
    } catch (error) {
      this.logger.warn(`no FSHR answer for ${file.fileId} of ${tenant}: ${String(error)}`);
      return 'none';
    }
  }

  private async byVisibility(
    tenant: string,
    caller: AuthContext | undefined,
    file: File,
  ): Promise<AccessLevel> {
    const visibility = file.visibility;
    if (visibility === 'P') return 'R';
    if (!caller || caller.anonymous) return 'none';
    if (visibility === 'V') return 'R';
    if (visibility !== 'F' && visibility !== 'C') return 'none';
    // A file kept for another identity (an attachment of its action) is for its owner's
    // followers or connections, whom this tenant cannot vouch for: only the owner reads it here.
    if (file.ownerTag !== null && file.ownerTag !== tenant)
      return caller.subject === file.ownerTag ? 'R' : 'none';
    const relation = await this.rpc.request(getRelationship, { tenant, peer: caller.subject });
    const connected = relation.connected === 'true';
    return connected || (visibility === 'F' && relation.follower) ? 'R' : 'none';
  }

  private async folders(tnId: number, file: File): Promise<Set<string>> {
    return new Set(file.parentId ? await this.records.ancestors(tnId, file.parentId) : []);
  }

  private async folderRows(tnId: number, file: File): Promise<bigint[]> {
    if (!file.parentId) return [];
    return this.records.rowsOf(tnId, [...(await this.folders(tnId, file))]);
  }
}
