import { Controller } from '@nestjs/common';
import { type EventPayload, fileIdGenerated } from '@cloudillo/contracts';
import { HandleEvent } from '@cloudillo/messaging';
import { TenantResolver } from '@cloudillo/tenancy';

import { DraftsService } from './drafts.service';

/** `blob.file.id-generated.v1`: actions waiting for that upload go out now. */
@Controller()
export class AttachmentReadyHandler {
  constructor(
    private readonly drafts: DraftsService,
    private readonly resolver: TenantResolver,
  ) {}

  @HandleEvent(fileIdGenerated)
  async ready({ tenant, tempId }: EventPayload<typeof fileIdGenerated>): Promise<void> {
    await this.drafts.attachmentReady(await this.resolver.require(tenant), tempId);
  }
}
