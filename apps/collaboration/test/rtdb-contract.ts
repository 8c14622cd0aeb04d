import { z } from 'zod';

/**
 * The RTDB server frames exactly as client-contract.md lists them (the upstream client decodes
 * with unknown fields as errors): every frame a test receives is checked against these.
 */
const changeEvent = z
  .object({
    action: z.enum(['create', 'update', 'delete', 'lock', 'unlock', 'ready']),
    path: z.string(),
    data: z.unknown().optional(),
  })
  .strict();

export const serverFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queryResult'), id: z.number(), data: z.array(z.unknown()) }).strict(),
  z.object({ type: z.literal('getResult'), id: z.number(), data: z.unknown() }).strict(),
  z
    .object({ type: z.literal('subscribeResult'), id: z.number(), subscriptionId: z.string() })
    .strict(),
  z.object({ type: z.literal('unsubscribeResult'), id: z.number() }).strict(),
  z.object({ type: z.literal('createIndexResult'), id: z.number() }).strict(),
  z
    .object({
      type: z.literal('change'),
      id: z.union([z.number(), z.string()]).optional(),
      subscriptionId: z.string(),
      event: changeEvent,
    })
    .strict(),
  z
    .object({
      type: z.literal('transactionResult'),
      id: z.number(),
      results: z.array(z.object({ ref: z.string().nullish(), id: z.string().nullish() }).strict()),
    })
    .strict(),
  z
    .object({
      type: z.literal('lockResult'),
      id: z.number(),
      locked: z.boolean(),
      holder: z.string().optional(),
      mode: z.enum(['soft', 'hard']).optional(),
    })
    .strict(),
  z.object({ type: z.literal('unlockResult'), id: z.number() }).strict(),
  z
    .object({
      type: z.literal('error'),
      id: z.union([z.number(), z.string()]).optional(),
      code: z.number(),
      message: z.string(),
      details: z.unknown().optional(),
    })
    .strict(),
  z.object({ type: z.literal('pong'), id: z.number() }).strict(),
]);
export type ServerFrame = z.infer<typeof serverFrame>;
