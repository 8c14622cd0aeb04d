import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import {
  Authenticated,
  type AuthContext,
  OptionalAuth,
  OptionalAuthUser,
  type Page,
  Tenant,
  ZodPipe,
} from '@cloudillo/http';
import { ConflictError, idTagSchema, VISIBILITIES } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { type ActionView } from './action-view';
import { ActionsService } from './actions.service';
import { TEMP_ID } from './drafts.repository';
import { DraftsService } from './drafts.service';
import { sightOf } from './visibility';

const reference = z.string().min(1).max(256);
/** What an action says, as a client gives it (protocol §2.5 body). */
const actionFields = z
  .object({
    parentId: reference.optional(),
    audienceTag: idTagSchema.optional(),
    content: z.unknown().optional(),
    attachments: z.array(reference).max(64).optional(),
    subject: reference.optional(),
    expiresAt: z.number().int().positive().optional(),
    visibility: z.enum(VISIBILITIES).optional(),
    flags: z
      .string()
      .regex(/^[rRcCoO]{0,8}$/)
      .optional(),
  })
  .strict();
/** Unix seconds (as `expiresAt`) or an ISO date-time. */
const instant = z.union([
  z
    .number()
    .int()
    .positive()
    .transform((s) => new Date(s * 1000)),
  z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
]);
const createBody = actionFields.extend({
  type: z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/),
  subType: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{0,15}$/)
    .optional(),
  /** Kept as a draft (`R`), not signed (protocol §2.5)... */
  draft: z.boolean().optional(),
  /** ...or scheduled (`S`), published then. */
  publishAt: instant.optional(),
});
const draftChange = actionFields
  .partial()
  .extend({ publishAt: instant.nullable().optional() })
  .refine((change) => Object.keys(change).length > 0, 'nothing to change');
const ACTION_ID = /^a1~[A-Za-z0-9_-]{43}$/;
const actionIdParam = new ZodPipe(z.string().regex(ACTION_ID, 'not an action id'));
/** A signed action's id, or a draft's placeholder `@<n>`. */
const anyIdParam = new ZodPipe(
  z.string().refine((id) => ACTION_ID.test(id) || TEMP_ID.test(id), 'not an action or draft id'),
);
const draftIdParam = new ZodPipe(z.string().regex(TEMP_ID, 'not a draft id (@<n>)'));
const listQuery = z.object({
  /** One type or several, comma-separated (`POST,REPOST`). */
  type: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{0,31}(,[A-Z][A-Z0-9]{0,31}){0,15}$/)
    .transform((t) => t.split(','))
    .optional(),
  status: z.enum(['P', 'V', 'A', 'C', 'N', 'D', 'R', 'S', 'F']).optional(),
  issuer: idTagSchema.optional(),
  audience: idTagSchema.optional(),
  parentId: reference.optional(),
  subject: reference.optional(),
  createdAfter: z.coerce.date().optional(),
  createdBefore: z.coerce.date().optional(),
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

@Controller('api/actions')
export class ActionsController {
  constructor(
    private readonly actions: ActionsService,
    private readonly drafts: DraftsService,
    private readonly rpc: ContractClient,
  ) {}

  /** Creating needs `contributor` (protocol §2.5). */
  @Post()
  @Authenticated({ role: 'contributor' })
  create(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(createBody)) body: z.output<typeof createBody>,
  ): Promise<ActionView> {
    return this.actions.create(tenant, body);
  }

  /**
   * The tenant's actions, newest first: everything for its leaders, for others the active ones
   * their relationship lets them see (protocol §2.4), anonymous callers the public ones.
   */
  @Get()
  @OptionalAuth()
  async list(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Query(new ZodPipe(listQuery)) query: z.output<typeof listQuery>,
  ): Promise<Page<ActionView>> {
    const { cursor, limit, type, ...filter } = query;
    const sight = await sightOf(this.rpc, tenant, caller);
    return this.actions.list(
      tenant,
      { ...filter, types: type, ...(sight.all ? {} : { sight }) },
      cursor,
      limit,
    );
  }

  @Get(':actionId')
  @OptionalAuth()
  async get(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('actionId', anyIdParam) actionId: string,
  ): Promise<ActionView> {
    return this.actions.get(tenant, actionId, await sightOf(this.rpc, tenant, caller));
  }

  // Answers and retractions reply `null` (client contract: `T.nullValue`); the row's new state
  // reaches the client as an event, or by reading it again.
  /** A signed action is retracted; a draft is discarded. */
  @Delete(':actionId')
  @Authenticated({ role: 'leader' })
  retract(
    @Tenant() tenant: TenantContext,
    @Param('actionId', anyIdParam) actionId: string,
  ): Promise<void> {
    return TEMP_ID.test(actionId)
      ? this.drafts.discard(tenant, actionId)
      : this.actions.retract(tenant, actionId);
  }

  /** Only drafts change; a signed action is immutable (retract it and create anew). */
  @Patch(':actionId')
  @Authenticated({ role: 'leader' })
  change(
    @Tenant() tenant: TenantContext,
    @Param('actionId', anyIdParam) actionId: string,
    @Body(new ZodPipe(draftChange)) body: z.output<typeof draftChange>,
  ): Promise<ActionView> {
    if (!TEMP_ID.test(actionId))
      throw new ConflictError('a signed action cannot change; retract it and create a new one');
    return this.drafts.change(tenant, actionId, body);
  }

  @Post(':actionId/publish')
  @Authenticated({ role: 'contributor' })
  @HttpCode(200)
  publish(
    @Tenant() tenant: TenantContext,
    @Param('actionId', draftIdParam) draftId: string,
  ): Promise<ActionView> {
    return this.drafts.publish(tenant, draftId);
  }

  @Post(':actionId/cancel')
  @Authenticated({ role: 'contributor' })
  @HttpCode(200)
  cancel(
    @Tenant() tenant: TenantContext,
    @Param('actionId', draftIdParam) draftId: string,
  ): Promise<ActionView> {
    return this.drafts.cancel(tenant, draftId);
  }

  @Post(':actionId/dismiss')
  @Authenticated({ role: 'leader' })
  @HttpCode(200)
  dismiss(
    @Tenant() tenant: TenantContext,
    @Param('actionId', actionIdParam) actionId: string,
  ): Promise<void> {
    return this.actions.dismiss(tenant, actionId);
  }

  @Post(':actionId/accept')
  @Authenticated({ role: 'leader' })
  @HttpCode(200)
  accept(
    @Tenant() tenant: TenantContext,
    @Param('actionId', actionIdParam) actionId: string,
  ): Promise<void> {
    return this.actions.decide(tenant, actionId, true);
  }

  @Post(':actionId/reject')
  @Authenticated({ role: 'leader' })
  @HttpCode(200)
  reject(
    @Tenant() tenant: TenantContext,
    @Param('actionId', actionIdParam) actionId: string,
  ): Promise<void> {
    return this.actions.decide(tenant, actionId, false);
  }
}
