import { isDeepStrictEqual } from 'node:util';

import { z } from 'zod';

/** One field → value map per operator (protocol §7 filter keys). */
const fieldMap = z.record(z.string().min(1).max(256), z.unknown());

export const queryFilterSchema = z
  .object({
    equals: fieldMap,
    notEquals: fieldMap,
    greaterThan: fieldMap,
    greaterThanOrEqual: fieldMap,
    lessThan: fieldMap,
    lessThanOrEqual: fieldMap,
    inArray: fieldMap,
    notInArray: fieldMap,
    arrayContains: fieldMap,
    arrayContainsAny: fieldMap,
    arrayContainsAll: fieldMap,
  })
  .partial()
  .strict();
export type QueryFilter = z.infer<typeof queryFilterSchema>;

export const sortSchema = z
  .array(z.object({ field: z.string().min(1).max(256), ascending: z.boolean() }).strict())
  .max(8);
export type Sort = z.infer<typeof sortSchema>;

export const aggregateSchema = z
  .object({
    groupBy: z.string().min(1).max(256),
    ops: z
      .array(
        z
          .object({ op: z.enum(['sum', 'avg', 'min', 'max']), field: z.string().min(1).max(256) })
          .strict(),
      )
      .max(16)
      .optional(),
  })
  .strict();
export type Aggregate = z.infer<typeof aggregateSchema>;

export type Doc = Record<string, unknown>;

/** Orders JSON values: numbers and strings naturally, anything else after them, by type. */
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const rank = (v: unknown) => (v === undefined || v === null ? 0 : typeof v === 'number' ? 1 : 2);
  return rank(a) - rank(b);
}

/** Comparable: both numbers, or both strings (a range on anything else matches nothing). */
function comparable(a: unknown, b: unknown): boolean {
  return (
    (typeof a === 'number' && typeof b === 'number') ||
    (typeof a === 'string' && typeof b === 'string')
  );
}

function every(
  map: Record<string, unknown> | undefined,
  doc: Doc,
  test: (actual: unknown, expected: unknown) => boolean,
): boolean {
  if (!map) return true;
  return Object.entries(map).every(([field, expected]) => test(doc[field], expected));
}

/** Whether a document passes every condition of the filter. */
export function matches(doc: Doc, filter: QueryFilter | undefined): boolean {
  if (!filter) return true;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const has = (arr: unknown, v: unknown) => list(arr).some((x) => isDeepStrictEqual(x, v));
  return (
    every(filter.equals, doc, (a, e) => isDeepStrictEqual(a, e)) &&
    every(filter.notEquals, doc, (a, e) => !isDeepStrictEqual(a, e)) &&
    every(filter.greaterThan, doc, (a, e) => comparable(a, e) && compare(a, e) > 0) &&
    every(filter.greaterThanOrEqual, doc, (a, e) => comparable(a, e) && compare(a, e) >= 0) &&
    every(filter.lessThan, doc, (a, e) => comparable(a, e) && compare(a, e) < 0) &&
    every(filter.lessThanOrEqual, doc, (a, e) => comparable(a, e) && compare(a, e) <= 0) &&
    every(filter.inArray, doc, (a, e) => has(e, a)) &&
    every(filter.notInArray, doc, (a, e) => !has(e, a)) &&
    every(filter.arrayContains, doc, (a, e) => has(a, e)) &&
    every(filter.arrayContainsAny, doc, (a, e) => list(e).some((v) => has(a, v))) &&
    every(filter.arrayContainsAll, doc, (a, e) => list(e).every((v) => has(a, v)))
  );
}

/** Sorted by the fields in order; documents equal on all of them keep their id order. */
export function sortDocs(docs: Doc[], sort: Sort | undefined): Doc[] {
  if (!sort || sort.length === 0) return docs;
  return [...docs].sort((a, b) => {
    for (const { field, ascending } of sort) {
      const order = compare(a[field], b[field]);
      if (order !== 0) return ascending ? order : -order;
    }
    return 0;
  });
}

/** A group key as the reference prints it: strings as they are, other scalars as JSON. */
function groupKeys(value: unknown): string[] {
  const key = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (value === undefined || value === null) return [];
  if (Array.isArray(value))
    return value.filter((v) => v !== null && typeof v !== 'object').map(key);
  return typeof value === 'object' ? [] : [key(value)];
}

/**
 * Groups with `count` and, per op, `sum_<field>`, `avg_<field>`, `min_<field>`, `max_<field>`
 * (numbers only); an array field puts a document in each of its groups. Largest groups first.
 */
export function aggregateDocs(docs: Doc[], aggregate: Aggregate): Doc[] {
  const groups = new Map<string, { count: number; values: Map<string, number[]> }>();
  for (const doc of docs) {
    for (const key of groupKeys(doc[aggregate.groupBy])) {
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { count: 0, values: new Map() }));
      group.count += 1;
      for (const field of new Set((aggregate.ops ?? []).map((o) => o.field))) {
        const value = doc[field];
        if (typeof value !== 'number') continue;
        const values = group.values.get(field) ?? [];
        values.push(value);
        group.values.set(field, values);
      }
    }
  }
  const result = [...groups].map(([group, { count, values }]) => {
    const entry: Doc = { group, count };
    for (const { op, field } of aggregate.ops ?? []) {
      const numbers = values.get(field) ?? [];
      const sum = numbers.reduce((total, n) => total + n, 0);
      if (op === 'sum') entry[`sum_${field}`] = sum;
      else if (op === 'avg') entry[`avg_${field}`] = numbers.length ? sum / numbers.length : 0;
      else if (numbers.length > 0)
        entry[`${op}_${field}`] = op === 'min' ? Math.min(...numbers) : Math.max(...numbers);
    }
    return entry;
  });
  return result.sort((a, b) => (b['count'] as number) - (a['count'] as number));
}
