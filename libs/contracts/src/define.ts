import { type z } from 'zod';

/** Default reply deadline of a NATS request; every contract states its own explicitly. */
export const DEFAULT_TIMEOUT_MS = 5_000;
const SUBJECT = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

/** A request/reply message: `<owner>.<resource>.<verb>.v<N>` with both payload schemas. */
export interface RequestContract<
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
> {
  readonly kind: 'request';
  readonly subject: string;
  readonly request: Req;
  readonly response: Res;
  readonly timeoutMs: number;
}

/** A fire-and-forget notification: `<owner>.<resource>.<past-tense>.v<N>`. */
export interface EventContract<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly subject: string;
  readonly payload: P;
}

function checkSubject(subject: string): string {
  if (!SUBJECT.test(subject))
    throw new Error(`"${subject}" is not <owner>.<resource>.<action>.v<N>`);
  return subject;
}

export function defineRequest<Req extends z.ZodType, Res extends z.ZodType>(def: {
  subject: string;
  request: Req;
  response: Res;
  timeoutMs?: number;
}): RequestContract<Req, Res> {
  return {
    kind: 'request',
    subject: checkSubject(def.subject),
    request: def.request,
    response: def.response,
    timeoutMs: def.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

export function defineEvent<P extends z.ZodType>(def: {
  subject: string;
  payload: P;
}): EventContract<P> {
  return { kind: 'event', subject: checkSubject(def.subject), payload: def.payload };
}

export type RequestOf<C> = C extends RequestContract<infer Req, z.ZodType> ? z.input<Req> : never;
/** What a handler receives: the request after its schema parsed it (defaults applied). */
export type HandlerInput<C> =
  C extends RequestContract<infer Req, z.ZodType> ? z.output<Req> : never;
/** What a handler returns: anything the response schema accepts. */
export type HandlerReply<C> =
  C extends RequestContract<z.ZodType, infer Res> ? z.input<Res> : never;
export type ResponseOf<C> = C extends RequestContract<z.ZodType, infer Res> ? z.output<Res> : never;
/** What an event handler receives: the payload after its schema parsed it. */
export type EventPayload<C> = C extends EventContract<infer P> ? z.output<P> : never;
