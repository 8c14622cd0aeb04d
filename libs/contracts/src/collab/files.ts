import { idTagSchema, NAMED_FILE_ID } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineEvent, defineRequest } from '../define';

const namedFileId = z.string().regex(NAMED_FILE_ID);

/**
 * `POST /api/files/{id}/duplicate` (protocol §5.1), the content's part: blob made the new file's
 * record, collaboration copies the document's (CRDT) or database's (RTDB) content into it. The
 * target must be empty (a new file); copying again is a no-op.
 */
export const copyCollabFile = defineRequest({
  subject: 'collab.file.copy.v1',
  request: z.object({
    tenant: idTagSchema,
    fileTp: z.enum(['CRDT', 'RTDB']),
    from: namedFileId,
    to: namedFileId,
  }),
  response: z.object({ copied: z.boolean() }),
  timeoutMs: 60_000,
});

/**
 * A document or database was written (at most once per file every few seconds): blob moves the
 * file's `modifiedAt` so lists and sync see the change.
 */
export const collabFileChanged = defineEvent({
  subject: 'collab.file.changed.v1',
  payload: z.object({
    tnId: z.number().int().positive(),
    fileId: namedFileId,
    /** When it was written (ms since the epoch). */
    at: z.number().int().positive(),
  }),
});
