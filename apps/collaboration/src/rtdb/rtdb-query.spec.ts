import { computeValues } from './rtdb-computed';
import { collectionPath, documentPath, withRefs } from './rtdb-paths';
import { aggregateDocs, matches, sortDocs } from './rtdb-query';

describe('RTDB filters, sorting and aggregates (protocol §7)', () => {
  const doc = { n: 5, s: 'm', tags: ['a', 'b'], nested: { x: 1 } };

  it.each([
    [{ equals: { n: 5, s: 'm' } }, true],
    [{ equals: { nested: { x: 1 } } }, true],
    [{ equals: { tags: ['a'] } }, false],
    [{ notEquals: { n: 5 } }, false],
    [{ greaterThan: { n: 4 } }, true],
    [{ greaterThan: { n: 5 } }, false],
    [{ greaterThanOrEqual: { n: 5 } }, true],
    [{ lessThan: { s: 'n' } }, true],
    [{ lessThanOrEqual: { n: '5' } }, false],
    [{ inArray: { s: ['x', 'm'] } }, true],
    [{ notInArray: { s: ['m'] } }, false],
    [{ arrayContains: { tags: 'b' } }, true],
    [{ arrayContainsAny: { tags: ['z', 'a'] } }, true],
    [{ arrayContainsAll: { tags: ['a', 'z'] } }, false],
    [{ equals: { missing: 1 } }, false],
  ])('%j → %s', (filter, expected) => {
    expect(matches(doc, filter)).toBe(expected);
  });

  it('sorts by several fields, missing values first', () => {
    const docs = [{ a: 2, b: 1 }, { a: 1, b: 2 }, { b: 0 }, { a: 1, b: 1 }];
    expect(
      sortDocs(docs, [
        { field: 'a', ascending: true },
        { field: 'b', ascending: false },
      ]),
    ).toEqual([{ b: 0 }, { a: 1, b: 2 }, { a: 1, b: 1 }, { a: 2, b: 1 }]);
  });

  it('aggregates per group, arrays in each of their groups, largest first', () => {
    const groups = aggregateDocs(
      [
        { tag: ['x', 'y'], v: 1 },
        { tag: 'x', v: 3 },
        { tag: null, v: 100 },
      ],
      {
        groupBy: 'tag',
        ops: [
          { op: 'avg', field: 'v' },
          { op: 'min', field: 'v' },
        ],
      },
    );
    expect(groups).toEqual([
      { group: 'x', count: 2, avg_v: 2, min_v: 1 },
      { group: 'y', count: 1, avg_v: 1, min_v: 1 },
    ]);
  });
});

describe('RTDB paths', () => {
  it('tells collections from documents and refuses what is neither', () => {
    expect(collectionPath('a/b/c')).toBe('a/b/c');
    expect(documentPath('a/b/c/d')).toEqual({ path: 'a/b/c/d', coll: 'a/b/c', id: 'd' });
    for (const bad of ['', 'a//b', 'a/../b', '../a', 'a/b c', 'a/'])
      expect(() => documentPath(bad)).toThrow();
    expect(() => collectionPath('a/b')).toThrow();
    expect(() => documentPath('a')).toThrow();
  });

  it('substitutes references and refuses unknown ones', () => {
    const refs = new Map([['post', 'P1']]);
    expect(withRefs('posts/${$post}/comments', refs)).toBe('posts/P1/comments');
    expect(() => withRefs('posts/${$other}', refs)).toThrow(/unknown reference/);
  });
});

describe('RTDB computed values', () => {
  const reads = {
    list: async () => [{ v: 1 }, { v: 4 }, { v: 'x' }],
    exists: async (path: string) => path === 'a/b',
  };

  it('computes $op from the current document, $fn from arguments and $query from the data', async () => {
    const current = { n: 2, list: [1, 2], s: 'ab', keep: 'k' };
    const data = await computeValues(
      {
        n: { $op: 'increment', by: 3 },
        list: { $op: 'remove', values: [1] },
        s: { $op: 'concat', value: 'c' },
        keep: { $op: 'setIfNotExists', value: 'new' },
        fresh: { $op: 'setIfNotExists', value: 'new' },
        low: { $op: 'min', value: -1 },
        at: { $fn: 'now' },
        slug: { $fn: 'slugify', args: ['Hello,  World!'] },
        size: { $fn: 'length', args: [[1, 2, 3]] },
        total: { $query: 'sum', path: 'c', field: 'v' },
        count: { $query: 'count', path: 'c' },
        there: { $query: 'exists', path: 'a/b' },
        plain: { nested: true },
      },
      current,
      reads,
      1234,
    );
    expect(data).toEqual({
      n: 5,
      list: [2],
      s: 'abc',
      keep: 'k',
      fresh: 'new',
      low: -1,
      at: 1234,
      slug: 'hello-world',
      size: 3,
      total: 5,
      count: 3,
      there: true,
      plain: { nested: true },
    });
  });

  it('refuses unknown operations', async () => {
    await expect(computeValues({ a: { $op: 'explode' } }, undefined, reads)).rejects.toThrow(
      /\$op/,
    );
    await expect(computeValues({ a: { $fn: 'eval' } }, undefined, reads)).rejects.toThrow(/\$fn/);
    await expect(
      computeValues({ a: { $query: 'all', path: 'c' } }, undefined, reads),
    ).rejects.toThrow(/\$query/);
  });
});
