import { Controller, Inject } from '@nestjs/common';
import { fileLinkAccess, type HandlerInput, type HandlerReply } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';
import { ForbiddenError, NotFoundError } from '@cloudillo/protocol';
import { TenantResolver } from '@cloudillo/tenancy';

import { FileRecordsRepository } from '../files/file-records.repository';
import { CLOCK, type Clock } from '../tokens';
import { atLeast, FileAccess } from './file-access';
import { callerContext } from './file-open.handler';
import { SharesRepository } from './shares.repository';

/**
 * `via=` (protocol §4.3) for access-token: may this caller reach `target` through the container
 * `via`, and at what level? The caller must be able to read the container (404 otherwise: its
 * existence stays hidden), and the container must link to the target (403 otherwise).
 */
@Controller()
export class FileLinksHandler {
  constructor(
    private readonly access: FileAccess,
    private readonly records: FileRecordsRepository,
    private readonly shares: SharesRepository,
    private readonly tenants: TenantResolver,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @HandleRequest(fileLinkAccess)
  async linkAccess(
    request: HandlerInput<typeof fileLinkAccess>,
  ): Promise<HandlerReply<typeof fileLinkAccess>> {
    const { caller, via, target } = request;
    const tenant = await this.tenants.require(request.tenant);
    const container = await this.records.find(tenant.tnId, via);
    const context = callerContext(tenant, caller);
    if (!container || !atLeast(await this.access.levelOf(tenant, context, container), 'R'))
      throw new NotFoundError(`no file ${via}`);
    const link = await this.shares.link(tenant.tnId, target, via, this.clock());
    if (!link) throw new ForbiddenError(`${via} does not link to ${target}`);
    return { level: link.permission as 'R' | 'C' | 'W' | 'A' };
  }
}
