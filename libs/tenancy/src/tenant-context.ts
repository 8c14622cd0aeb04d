import { type TenantStatus } from '@cloudillo/protocol';

/**
 * The tenant a request, a NATS message or a queue job is about, resolved once: its id_tag
 * (A-label), its row key and its status, and the owner's extra roles when the source knows them.
 * Services and repositories take this value (or `tnId` alone), never an id_tag and a tnId apart.
 */
export interface TenantContext {
  readonly idTag: string;
  readonly tnId: number;
  readonly status: TenantStatus;
  readonly roles?: readonly string[];
}

/**
 * A tenant as work done for it names it: its id_tag and its rows' key. Every `TenantContext` is
 * one (requests pass theirs down); queue jobs and events carry no more than this, because the
 * tenant's status may have changed by the time they are handled (`TenantResolver.isLive` tells).
 */
export type TenantRef = Pick<TenantContext, 'idTag' | 'tnId'>;
