import { type Action, Prisma } from '@cloudillo/db-federation';
import { type ActionTokenClaims } from '@cloudillo/protocol';

/** An action as it is written: its row's key, its token and claims, and how it is held. */
export interface StoredAction {
  tnId: number;
  actionId: string;
  claims: ActionTokenClaims;
  token: string;
  status: 'V' | 'A';
  dedupKey?: string | undefined;
  /** Inbound only: a related token (skips the sender check), and the address it came from. */
  preApproved?: boolean;
  sender?: string | undefined;
  /** Held by the caller (verified inline): background verifiers leave it alone until then. */
  claimedUntil?: Date;
  /** An own action whose fan-out is still to be queued, with its extra recipients. */
  fanout?: { extra?: readonly string[] | undefined };
}

export function row(action: StoredAction): Prisma.ActionCreateManyInput {
  const { claims } = action;
  const colon = claims.t.indexOf(':');
  return {
    tnId: action.tnId,
    actionId: action.actionId,
    type: colon === -1 ? claims.t : claims.t.slice(0, colon),
    subType: colon === -1 ? null : claims.t.slice(colon + 1),
    issuer: claims.iss,
    audience: claims.aud ?? null,
    parentId: claims.p ?? null,
    subject: claims.sub ?? null,
    content: claims.c === undefined ? Prisma.DbNull : (claims.c as Prisma.InputJsonValue),
    attachments: claims.a ?? [],
    visibility: claims.v ?? null,
    flags: claims.f ?? null,
    status: action.status,
    dedupKey: action.dedupKey ?? null,
    token: action.token,
    preApproved: action.preApproved ?? false,
    sender: action.sender ?? null,
    claimedUntil: action.claimedUntil ?? null,
    fanoutSince: action.fanout ? new Date() : null,
    fanoutExtra: [...(action.fanout?.extra ?? [])],
    createdAt: new Date(claims.iat * 1000),
    expiresAt: claims.exp === undefined ? null : new Date(claims.exp * 1000),
  };
}

/**
 * The columns an action's claims set, in the order `claimValues` gives them: the pg statements
 * that write actions (inbox inserts, drafts, publishing a draft) all list them from here.
 */
export const CLAIM_COLUMNS =
  'type, sub_type, issuer, audience, parent_id, subject, content, attachments, visibility, flags, expires_at';

export function claimValues(r: Prisma.ActionCreateManyInput): unknown[] {
  return [
    r.type,
    r.subType,
    r.issuer,
    r.audience,
    r.parentId,
    r.subject,
    r.content === Prisma.DbNull ? null : JSON.stringify(r.content),
    r.attachments,
    r.visibility,
    r.flags,
    r.expiresAt,
  ];
}

/** A row as pg returns it (snake_case columns) in Prisma's shape. */
export function fromRow(r: Record<string, unknown>): Action {
  return {
    tnId: r['tn_id'] as number,
    actionId: r['action_id'] as string,
    type: r['type'] as string,
    subType: r['sub_type'] as string | null,
    issuer: r['issuer'] as string,
    audience: r['audience'] as string | null,
    parentId: r['parent_id'] as string | null,
    subject: r['subject'] as string | null,
    content: r['content'] as Action['content'],
    attachments: r['attachments'] as string[],
    visibility: r['visibility'] as string | null,
    flags: r['flags'] as string | null,
    status: r['status'] as string,
    dedupKey: r['dedup_key'] as string | null,
    token: r['token'] as string,
    failure: r['failure'] as string | null,
    stat: r['stat'] as Action['stat'],
    attempts: r['attempts'] as number,
    claimedUntil: r['claimed_until'] as Date | null,
    preApproved: r['pre_approved'] as boolean,
    sender: r['sender'] as string | null,
    createdAt: r['created_at'] as Date,
    receivedAt: r['received_at'] as Date,
    expiresAt: r['expires_at'] as Date | null,
    x: r['x'] as Action['x'],
    waitingFor: r['waiting_for'] as string | null,
    fanoutSince: r['fanout_since'] as Date | null,
    fanoutExtra: r['fanout_extra'] as string[],
    retryable: r['retryable'] as boolean,
    rowId: BigInt(r['row_id'] as string),
    publishAt: r['publish_at'] as Date | null,
  };
}
