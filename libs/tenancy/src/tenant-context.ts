import { idTagSchema, TENANT_STATUSES, type TenantStatus } from '@cloudillo/protocol';
import { z } from 'zod';

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

/** The same value on the wire (queue jobs, NATS messages). */
export const tenantContextSchema = z.object({
  idTag: idTagSchema,
  tnId: z.number().int().positive(),
  status: z.enum(TENANT_STATUSES),
  roles: z.array(z.string()).optional(),
});
