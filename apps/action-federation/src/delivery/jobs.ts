import { type TenantRef } from '@cloudillo/tenancy';

/**
 * Verify what a tenant's inbox holds (status V). The tokens themselves wait in Postgres, durable
 * from the moment the inbox answers; this job only says "look now", so many tokens share one.
 */
export interface VerifyJob {
  tenant: TenantRef;
}

/** The verification queue's periodic runs (`sweep`, `retention`): about no tenant. */
export type SweepJob = Record<string, never>;

/**
 * One action to one recipient's inbox, by ids only: the tokens stay in Postgres (the action's
 * row), so a broadcast's thousands of jobs, retries and dead letters keep no copy of them.
 */
export interface DeliveryJob {
  tnId: number;
  actionId: string;
  recipient: string;
  /** The actions whose tokens travel along in `related` (a REPOST's original). */
  relatedIds?: string[];
  /** The peer's refusal at the fan-out's first attempt: dead-lettered as it is, not sent again. */
  refused?: string;
}

/** A delivery with its tokens, as it is sent. */
export interface Delivery extends DeliveryJob {
  token: string;
  related?: string[];
}

/** The job a delivery is queued as: its ids. */
export function deliveryJob({ token: _token, related: _related, ...job }: Delivery): DeliveryJob {
  return job;
}

/** Recount an action's interactions and broadcast its STAT. */
export interface StatJob {
  tenant: TenantRef;
  actionId: string;
}

/** Work out an action's recipients and queue one delivery each (a broadcast can be thousands). */
export interface FanoutJob {
  tenant: TenantRef;
  actionId: string;
  /** Recipients beyond those the type implies (a STAT's commenters and reactors). */
  extra?: string[];
}

/** Fetch a peer's recent posts for a tenant that just followed or connected (protocol §2.10). */
export interface HistoryJob {
  tenant: TenantRef;
  peer: string;
}

/** Publish a scheduled draft (status S) when its time has come (protocol §2.5). */
export interface PublishJob {
  tenant: TenantRef;
  draftId: string;
  /** The time it was scheduled for: a draft rescheduled since is left to its newer job. */
  publishAt: string;
  /** How often it was put off already because its attachments had no content ids yet. */
  attachmentWaits?: number;
}
