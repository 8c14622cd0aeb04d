import { Controller } from '@nestjs/common';
import { collabFileChanged, type EventPayload } from '@cloudillo/contracts';
import { HandleEvent } from '@cloudillo/messaging';

import { FileRecordsRepository } from './file-records.repository';

/** A document or database was written: its file's `modifiedAt` follows (lists, sync). */
@Controller()
export class CollabChangesHandler {
  constructor(private readonly records: FileRecordsRepository) {}

  @HandleEvent(collabFileChanged)
  async changed({ tnId, fileId, at }: EventPayload<typeof collabFileChanged>): Promise<void> {
    await this.records.touch(tnId, fileId, new Date(at));
  }
}
