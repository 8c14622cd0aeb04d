import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

import { defineEvent } from '../define';

/**
 * A file whose variants were made has its content id (protocol §5.1 `FILE_ID_GENERATED`): the
 * temporary id `@<n>` the upload answered becomes `f1~…`, for `/ws/bus` clients.
 */
export const fileIdGenerated = defineEvent({
  subject: 'blob.file.id-generated.v1',
  payload: z.object({
    tenant: idTagSchema,
    tempId: z.string().regex(/^@\d{1,18}$/),
    fileId: z.string().regex(/^f1~[A-Za-z0-9_-]{43}$/),
  }),
});
