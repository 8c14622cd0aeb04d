import { z } from 'zod';

import { aggregateSchema, type Doc, queryFilterSchema, sortSchema } from './rtdb-query';

const id = z.union([z.number().int().safe(), z.string().min(1).max(64)]);
const path = z.string().min(1).max(1024);
const filter = queryFilterSchema.nullish();

export const MAX_OPERATIONS = 500;

export const operationSchema = z
  .object({
    type: z.enum(['create', 'update', 'replace', 'delete']),
    path,
    data: z.record(z.string(), z.unknown()).nullish(),
    ref: z
      .string()
      .regex(/^\$[A-Za-z0-9_]{1,64}$/)
      .nullish(),
  })
  .strict();
export type Operation = z.infer<typeof operationSchema>;

/** What a client may ask (protocol §7 requests); anything else is an error frame, code 400. */
export const requestSchema = z.discriminatedUnion('type', [
  z.object({
    id,
    type: z.literal('query'),
    path,
    filter,
    sort: sortSchema.nullish(),
    limit: z.number().int().min(0).max(10_000).nullish(),
    offset: z.number().int().min(0).nullish(),
    aggregate: aggregateSchema.nullish(),
    select: z.array(z.string().min(1).max(256)).max(64).nullish(),
  }),
  z.object({ id, type: z.literal('get'), path }),
  z.object({
    id,
    type: z.literal('subscribe'),
    path,
    filter,
    aggregate: aggregateSchema.nullish(),
  }),
  z.object({ id, type: z.literal('unsubscribe'), subscriptionId: z.string().min(1).max(64) }),
  z.object({
    id,
    type: z.literal('transaction'),
    operations: z.array(operationSchema).min(1).max(MAX_OPERATIONS),
  }),
  z.object({
    id,
    type: z.literal('createIndex'),
    path: path.optional(),
    field: z.string().min(1).max(256).optional(),
  }),
  z.object({ id, type: z.literal('lock'), path, mode: z.enum(['soft', 'hard']) }),
  z.object({ id, type: z.literal('unlock'), path }),
  z.object({ id, type: z.literal('ping') }),
]);
export type RtdbRequest = z.infer<typeof requestSchema>;
export type RequestId = z.infer<typeof id>;

/** A change as subscribers receive it (`change.event`). */
export interface ChangeEvent {
  action: 'create' | 'update' | 'delete' | 'lock' | 'unlock' | 'ready';
  path: string;
  data?: unknown;
}

/**
 * Server frames, exactly the shapes the upstream client decodes (client-contract.md "RTDB server
 * frames": an unknown field makes it drop the frame).
 */
export const frames = {
  queryResult: (rid: RequestId, data: Doc[]) => ({ type: 'queryResult', id: rid, data }),
  getResult: (rid: RequestId, data: Doc | null) => ({ type: 'getResult', id: rid, data }),
  subscribeResult: (rid: RequestId, subscriptionId: string) => ({
    type: 'subscribeResult',
    id: rid,
    subscriptionId,
  }),
  unsubscribeResult: (rid: RequestId) => ({ type: 'unsubscribeResult', id: rid }),
  createIndexResult: (rid: RequestId) => ({ type: 'createIndexResult', id: rid }),
  transactionResult: (rid: RequestId, results: { ref: string | null; id: string | null }[]) => ({
    type: 'transactionResult',
    id: rid,
    results,
  }),
  lockResult: (rid: RequestId, locked: boolean, holder?: { userId: string; mode: string }) => ({
    type: 'lockResult',
    id: rid,
    locked,
    ...(holder ? { holder: holder.userId, mode: holder.mode } : {}),
  }),
  unlockResult: (rid: RequestId) => ({ type: 'unlockResult', id: rid }),
  pong: (rid: RequestId) => ({ type: 'pong', id: rid }),
  change: (subscriptionId: string, event: ChangeEvent) => ({
    type: 'change',
    subscriptionId,
    event,
  }),
  error: (rid: RequestId | undefined, code: 400 | 403 | 404 | 423 | 500, message: string) => ({
    type: 'error',
    ...(rid === undefined ? {} : { id: rid }),
    code,
    message,
  }),
};
