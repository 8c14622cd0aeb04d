import {
  CONTENT_FILE_ID,
  idTagSchema,
  NAMED_FILE_ID,
  TEMP_FILE_ID,
  visibilitySchema,
} from '@cloudillo/protocol';
import { z } from 'zod';

import { defineEvent, defineRequest } from '../define';

const namedFileId = z.string().regex(NAMED_FILE_ID);

/** Who asks about a file, as their verified access token says (protocol §4.1). */
export const fileCaller = z.object({
  subject: idTagSchema,
  anonymous: z.boolean(),
  roles: z.array(z.string().min(1).max(32)).max(32),
  scope: z.string().min(1).max(1000).optional(),
  /** The container a scoped token was granted through (`via=`, protocol §4.3). */
  via: namedFileId.optional(),
});
export type FileCaller = z.infer<typeof fileCaller>;

/**
 * A file whose variants were made has its content id (protocol §5.1 `FILE_ID_GENERATED`): the
 * temporary id `@<n>` the upload answered becomes `f1~…`, for `/ws/bus` clients.
 */
export const fileIdGenerated = defineEvent({
  subject: 'blob.file.id-generated.v1',
  payload: z.object({
    tenant: idTagSchema,
    tempId: z.string().regex(TEMP_FILE_ID),
    fileId: z.string().regex(CONTENT_FILE_ID),
  }),
});

/**
 * Federated file sync (protocol §5.5): fetch a peer's file — descriptor, metadata, every variant —
 * checking each hash, and keep it for `tenant` (owner: the peer). A mismatch is refused
 * (E-VAL-INVALID), nothing is stored. action-federation asks for attachments of inbound actions.
 */
export const syncFile = defineRequest({
  subject: 'blob.file.sync.v1',
  request: z.object({
    tenant: idTagSchema,
    fileId: z.string().regex(CONTENT_FILE_ID),
    from: idTagSchema,
    /** Every variant (the action's audience keeps all); otherwise a media `orig` is metadata only. */
    full: z.boolean().optional(),
  }),
  response: z.object({ fileId: z.string(), existed: z.boolean() }),
  timeoutMs: 120_000,
});

/**
 * A file share the tenant's user accepted (an FSHR, protocol §2.9): the tenant keeps a file entry
 * owned by the sharer — a content file is synced like an attachment (§5.5), a document is a
 * record pointing to the owner's node.
 */
export const acceptSharedFile = defineRequest({
  subject: 'blob.shared-file.accept.v1',
  request: z.object({
    tenant: idTagSchema,
    owner: idTagSchema,
    fileId: namedFileId,
    fileTp: z.enum(['BLOB', 'CRDT', 'RTDB']),
    contentType: z.string().min(1).max(200),
    fileName: z.string().min(1).max(500),
  }),
  response: z.object({ fileId: z.string(), existed: z.boolean() }),
  timeoutMs: 120_000,
});

/**
 * Before an action is signed with attachments (protocol §2.5): uploads named by temporary id
 * `@<n>` (§5.1) get their content id (`null` while their variants are still being made; an id
 * naming no live upload of the tenant is E-CORE-NOTFOUND), and with `visibility`, once none is
 * pending, the tenant's own files that are less open than the action are opened to it, so its
 * recipients can fetch them (while one is pending nothing is opened: the action waits unsigned).
 * Content ids the tenant does not hold pass unchanged.
 */
export const prepareAttachments = defineRequest({
  subject: 'blob.file.attach.v1',
  request: z.object({
    tenant: idTagSchema,
    fileIds: z.array(z.string().min(1).max(256)).min(1).max(64),
    visibility: visibilitySchema.optional(),
  }),
  response: z.object({
    files: z.array(z.object({ given: z.string(), fileId: z.string().nullable() })),
  }),
});

/**
 * `via=` (protocol §4.3), asked by access-token before it grants a token for `target` through
 * `via`: the caller must be able to read the container `via` (else E-CORE-NOTFOUND, existence
 * hidden), and the container must link to `target` (a share entry of subject type F; else
 * E-AUTH-NOPERM). The answer is the link's level.
 */
export const fileLinkAccess = defineRequest({
  subject: 'blob.file.link-access.v1',
  request: z.object({
    tenant: idTagSchema,
    /** Who asks, as their access token says. */
    caller: fileCaller,
    via: namedFileId,
    target: namedFileId,
  }),
  response: z.object({ level: z.enum(['R', 'C', 'W', 'A']) }),
});

/**
 * Before a document or database socket is opened (protocol §6, §7): the file's type and what the
 * caller may do with it, as the blob service decides for every file route (§5.2). No caller is a
 * guest without a token. A file the tenant does not have, or one the caller may not even read,
 * is E-CORE-NOTFOUND (no existence oracle); the level is then never `none`.
 */
export const openFile = defineRequest({
  subject: 'blob.file.open.v1',
  request: z.object({
    tenant: idTagSchema,
    caller: fileCaller.optional(),
    fileId: namedFileId,
  }),
  response: z.object({
    fileTp: z.enum(['BLOB', 'CRDT', 'RTDB', 'FLDR']),
    level: z.enum(['R', 'C', 'W', 'A']),
  }),
});
