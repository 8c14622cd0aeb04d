import { type Ref } from '@cloudillo/db-auth';

const LEVELS = { R: 'read', C: 'comment', W: 'write' } as const;
export type AccessLevelName = (typeof LEVELS)[keyof typeof LEVELS];

export function levelName(code: 'R' | 'C' | 'W'): AccessLevelName {
  return LEVELS[code];
}

export function levelCode(name: AccessLevelName): 'R' | 'C' | 'W' {
  return name === 'read' ? 'R' : name === 'comment' ? 'C' : 'W';
}

/** The client's `tRef`: optional fields left out, never null. */
export interface RefView {
  refId: string;
  type: string;
  description?: string;
  resourceId?: string;
  accessLevel?: AccessLevelName;
  createdAt: string;
  expiresAt?: string;
  count?: number;
  params?: string;
}

export function toRefView(ref: Ref): RefView {
  const view: RefView = {
    refId: ref.refId,
    type: ref.type,
    createdAt: ref.createdAt.toISOString(),
  };
  if (ref.description !== null) view.description = ref.description;
  if (ref.resourceId !== null) view.resourceId = ref.resourceId;
  if (ref.accessLevel !== null) view.accessLevel = LEVELS[ref.accessLevel as keyof typeof LEVELS];
  if (ref.expiresAt !== null) view.expiresAt = ref.expiresAt.toISOString();
  if (ref.count !== null) view.count = ref.count;
  if (ref.params !== null) view.params = ref.params;
  return view;
}
