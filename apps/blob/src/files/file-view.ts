import { type File } from '@cloudillo/db-blob';

/** Why a file kept for its owner elsewhere is not there any more (client contract `tFileView`). */
export const BROKEN_REASONS = ['revoked', 'deleted', 'unreachable'] as const;
export type BrokenReason = (typeof BROKEN_REASONS)[number];

/** `tFileView` of the client contract (the part this service knows so far). */
export interface FileView {
  fileId: string;
  status: 'P' | 'A';
  preset?: string;
  contentType: string;
  fileName: string;
  fileTp: string;
  parentId?: string;
  tags?: string[];
  visibility?: string;
  createdAt: string;
  modifiedAt: string;
  owner?: { idTag: string };
  brokenAt?: string;
  brokenReason?: BrokenReason;
}

function isBrokenReason(reason: string | null): reason is BrokenReason {
  return (BROKEN_REASONS as readonly (string | null)[]).includes(reason);
}

/** Absent fields stay absent: the client refuses `null` where a field is optional. */
export function viewOf(file: File): FileView {
  return {
    fileId: file.fileId,
    status: file.status === 'P' ? 'P' : 'A',
    ...(file.preset ? { preset: file.preset } : {}),
    contentType: file.contentType,
    fileName: file.fileName,
    fileTp: file.fileTp,
    ...(file.parentId ? { parentId: file.parentId } : {}),
    ...(file.tags.length ? { tags: file.tags } : {}),
    ...(file.visibility ? { visibility: file.visibility } : {}),
    createdAt: file.createdAt.toISOString(),
    modifiedAt: file.modifiedAt.toISOString(),
    ...(file.ownerTag ? { owner: { idTag: file.ownerTag } } : {}),
    ...(file.brokenAt && isBrokenReason(file.brokenReason)
      ? { brokenAt: file.brokenAt.toISOString(), brokenReason: file.brokenReason }
      : {}),
  };
}
