import { createHash } from 'node:crypto';

import { ValidationError } from '@cloudillo/protocol';

import { type Doc } from './rtdb-query';

/** Reads the `$query` values need: a collection's documents, or whether a document exists. */
export interface ComputedReads {
  list(collPath: string): Promise<Doc[]>;
  exists(docPath: string): Promise<boolean>;
}

type Params = Record<string, unknown>;

const int = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;

function fieldOperation(op: string, current: unknown, params: Params): unknown {
  const by = int(params['by'], 1);
  const values = Array.isArray(params['values']) ? params['values'] : [];
  const number = typeof current === 'number' ? current : 0;
  switch (op) {
    case 'increment':
      return number + by;
    case 'decrement':
      return number - by;
    case 'multiply':
      return number * by;
    case 'append':
      return [...(Array.isArray(current) ? current : []), ...values];
    case 'remove':
      return (Array.isArray(current) ? current : []).filter(
        (item) => !values.some((v) => JSON.stringify(v) === JSON.stringify(item)),
      );
    case 'concat':
      return `${typeof current === 'string' ? current : ''}${typeof params['value'] === 'string' ? params['value'] : ''}`;
    case 'setIfNotExists':
      return current === undefined || current === null ? (params['value'] ?? null) : current;
    case 'min':
      return Math.min(typeof current === 'number' ? current : Infinity, int(params['value'], 0));
    case 'max':
      return Math.max(typeof current === 'number' ? current : -Infinity, int(params['value'], 0));
    default:
      throw new ValidationError(`unknown $op ${op}`);
  }
}

function firstArg(params: Params): unknown {
  return Array.isArray(params['args']) ? params['args'][0] : undefined;
}

function stringArg(fn: string, params: Params): string {
  const arg = firstArg(params);
  if (typeof arg !== 'string') throw new ValidationError(`$fn ${fn} takes a string`);
  return arg;
}

function callFunction(fn: string, params: Params, now: number): unknown {
  switch (fn) {
    case 'now':
      return now;
    case 'slugify':
      return stringArg(fn, params)
        .toLowerCase()
        .replace(/[^\p{L}\p{N}-]+/gu, '-')
        .split('-')
        .filter(Boolean)
        .join('-');
    case 'hash':
      // A stable digest (the reference's is Rust's in-process hasher, not reproducible elsewhere).
      return createHash('sha256').update(stringArg(fn, params)).digest('hex').slice(0, 16);
    case 'lowercase':
      return stringArg(fn, params).toLowerCase();
    case 'uppercase':
      return stringArg(fn, params).toUpperCase();
    case 'trim':
      return stringArg(fn, params).trim();
    case 'length': {
      const arg = firstArg(params);
      if (typeof arg === 'string' || Array.isArray(arg)) return arg.length;
      throw new ValidationError('$fn length takes a string or an array');
    }
    default:
      throw new ValidationError(`unknown $fn ${fn}`);
  }
}

async function runQuery(kind: string, params: Params, reads: ComputedReads): Promise<unknown> {
  const path = params['path'];
  if (typeof path !== 'string') throw new ValidationError('$query needs a path');
  if (kind === 'exists') return reads.exists(path);
  const docs = await reads.list(path);
  if (kind === 'count') return docs.length;
  if (kind === 'first') return docs[0] ?? null;
  if (kind === 'last') return docs.at(-1) ?? null;
  const field = params['field'];
  if (typeof field !== 'string') throw new ValidationError(`$query ${kind} needs a field`);
  const numbers = docs.map((d) => d[field]).filter((v): v is number => typeof v === 'number');
  const sum = numbers.reduce((total, n) => total + n, 0);
  switch (kind) {
    case 'sum':
      return sum;
    case 'avg':
      return numbers.length ? sum / numbers.length : null;
    case 'min':
      return numbers.length ? Math.min(...numbers) : null;
    case 'max':
      return numbers.length ? Math.max(...numbers) : null;
    default:
      throw new ValidationError(`unknown $query ${kind}`);
  }
}

/**
 * The data of a write with its computed values filled in (protocol §7): a top-level field whose
 * value is `{$op}` is computed from the document's current value (read inside the transaction,
 * so concurrent increments add up), `{$fn}` from its arguments, `{$query}` from the database.
 */
export async function computeValues(
  data: Doc,
  current: Doc | undefined,
  reads: ComputedReads,
  now = Date.now(),
): Promise<Doc> {
  const result: Doc = { ...data };
  for (const [field, value] of Object.entries(data)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const params = value as Params;
    if (typeof params['$op'] === 'string')
      result[field] = fieldOperation(params['$op'], current?.[field], params);
    else if (typeof params['$fn'] === 'string')
      result[field] = callFunction(params['$fn'], params, now);
    else if (typeof params['$query'] === 'string')
      result[field] = await runQuery(params['$query'], params, reads);
  }
  return result;
}
