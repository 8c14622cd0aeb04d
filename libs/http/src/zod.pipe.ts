import { type PipeTransform } from '@nestjs/common';
import { ValidationError } from '@cloudillo/protocol';
import { type z } from 'zod';

/** Parses a body, query or param with a zod schema; failures are 400 E-VAL-INVALID with the issues. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseRequest(this.schema, value);
  }
}

/** A request part parsed by its schema, or 400 E-VAL-INVALID listing the issues. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    'invalid request',
    parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}
