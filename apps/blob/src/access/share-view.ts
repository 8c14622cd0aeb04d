import { type ShareEntry } from '@cloudillo/db-blob';

/** `tShareEntry` of the client contract. */
export interface ShareView {
  id: number;
  resourceType: 'file';
  resourceId: string;
  subjectType: string;
  subjectId: string;
  permission: string;
  expiresAt?: string;
  createdBy: string;
  createdAt: string;
}

export function shareViewOf(share: ShareEntry, fileId: string): ShareView {
  return {
    id: share.id,
    resourceType: 'file',
    resourceId: fileId,
    subjectType: share.subjectType,
    subjectId: share.subjectId,
    permission: share.permission,
    ...(share.expiresAt ? { expiresAt: share.expiresAt.toISOString() } : {}),
    createdBy: share.createdBy,
    createdAt: share.createdAt.toISOString(),
  };
}
