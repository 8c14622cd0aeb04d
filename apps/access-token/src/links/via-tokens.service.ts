import { Injectable } from '@nestjs/common';
import { ContractClient, fileLinkAccess } from '@cloudillo/contracts';
import { type AuthContext } from '@cloudillo/http';
import {
  ForbiddenError,
  NAMED_FILE_ID,
  parseFileScope,
  ValidationError,
} from '@cloudillo/protocol';

import { TokenIssuer } from '../keys/token-issuer';
import { type AccessLevelName, levelName } from '../refs/ref-view';

const RANK = { R: 0, C: 1, W: 2 } as const;

/** A token scoped to one file, as share links and `via=` answer it (protocol §4.3). */
export interface ScopedFileToken {
  token: string;
  scope: string;
  resourceId: string;
  accessLevel: AccessLevelName;
  expiresAt: number;
}

/**
 * `GET /api/auth/access-token?via={container}&scope=file:{target}:{R|C|W}` (protocol §4.3): a
 * caller who can read a container file gets a token for a file the container links to (a share of
 * subject type F, e.g. an image embedded in a document) at `min(requested, link)`, `A` capped to
 * `W`. The blob service decides both (the caller's access to the container, the link); the token
 * names the container (`via`), and the blob service checks the link again on every use, so
 * removing the link ends the token's reach. A caller with a scoped token (a share link) may go
 * only through the container its scope names, and gets an anonymous token, as it is.
 */
@Injectable()
export class ViaTokensService {
  constructor(
    private readonly rpc: ContractClient,
    private readonly issuer: TokenIssuer,
  ) {}

  async grant(
    tenant: string,
    caller: AuthContext,
    via: string,
    scope: string | undefined,
  ): Promise<ScopedFileToken> {
    const requested = parseFileScope(scope);
    if (!requested || !NAMED_FILE_ID.test(requested.fileId) || !NAMED_FILE_ID.test(via))
      throw new ValidationError('via= takes a file id and scope=file:{id}:{R|C|W}');
    const { fileId: target, level: wanted } = requested;
    if (caller.scope !== undefined && !caller.scope.startsWith(`file:${via}:`))
      throw new ForbiddenError('a scoped token reaches only through the file it names');
    const { level } = await this.rpc.request(fileLinkAccess, {
      tenant,
      caller: {
        subject: caller.subject,
        anonymous: caller.anonymous,
        roles: [...caller.roles],
        ...(caller.scope === undefined ? {} : { scope: caller.scope }),
      },
      via,
      target,
    });
    const link = level === 'A' ? 'W' : level;
    const effective = RANK[wanted] <= RANK[link] ? wanted : link;
    const granted = `file:${target}:${effective}`;
    const anonymous = caller.anonymous || caller.scope !== undefined;
    const { token, exp } = await this.issuer.issue({
      tenant,
      ...(anonymous ? {} : { subject: caller.subject }),
      roles: [],
      scope: granted,
      via,
    });
    return {
      token,
      scope: granted,
      resourceId: target,
      accessLevel: levelName(effective),
      expiresAt: exp,
    };
  }
}
