import { type Action } from '@cloudillo/db-federation';

/** The client's `tActionView` (a subset: profile details of issuer and audience are not joined). */
export interface ActionView {
  actionId: string;
  type: string;
  subType?: string;
  parentId?: string;
  issuer: { idTag: string };
  audience?: { idTag: string };
  content?: unknown;
  attachments?: { fileId: string }[];
  subject?: string;
  createdAt: string;
  expiresAt?: string;
  status?: 'P' | 'A' | 'D' | 'C' | 'N' | 'R' | 'S';
  visibility?: string;
  flags?: string;
  stat?: { commentCount?: number; reactions?: string };
  /** Server-side metadata (a subscription's role). */
  x?: unknown;
}

/** The stored counters (`{c, r}` as a STAT carries them) in the client's shape. */
function statView(stat: unknown): ActionView['stat'] | undefined {
  if (typeof stat !== 'object' || stat === null) return undefined;
  const { c, r } = stat as { c?: unknown; r?: unknown };
  const view: NonNullable<ActionView['stat']> = {};
  if (typeof c === 'number') view.commentCount = c;
  if (typeof r === 'object' && r !== null) {
    const counts = Object.entries(r).filter(([, n]) => typeof n === 'number' && n > 0);
    if (counts.length > 0) view.reactions = counts.map(([k, n]) => `${k}:${n}`).join(',');
  }
  return view;
}

const CLIENT_STATUSES = new Set(['P', 'A', 'D', 'C', 'N', 'R', 'S']);

export function toActionView(action: Action): ActionView {
  const view: ActionView = {
    actionId: action.actionId,
    type: action.type,
    issuer: { idTag: action.issuer },
    createdAt: action.createdAt.toISOString(),
  };
  if (action.subType !== null) view.subType = action.subType;
  if (action.parentId !== null) view.parentId = action.parentId;
  if (action.audience !== null) view.audience = { idTag: action.audience };
  if (action.content !== null) view.content = action.content;
  if (action.attachments.length > 0)
    view.attachments = action.attachments.map((fileId) => ({ fileId }));
  if (action.subject !== null) view.subject = action.subject;
  if (action.expiresAt !== null) view.expiresAt = action.expiresAt.toISOString();
  if (CLIENT_STATUSES.has(action.status))
    view.status = action.status as NonNullable<ActionView['status']>;
  if (action.visibility !== null) view.visibility = action.visibility;
  if (action.flags !== null) view.flags = action.flags;
  if (action.x !== null) view.x = action.x;
  const stat = statView(action.stat);
  if (stat) view.stat = stat;
  return view;
}
