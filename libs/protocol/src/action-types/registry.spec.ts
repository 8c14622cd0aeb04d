import { z } from 'zod';

import { type ActionTokenClaims } from '../action-token';
import { BUILT_IN_ACTION_TYPES } from './built-in';
import { ActionTypeRegistry } from './registry';

const base = { iss: 'alice.example.com', k: '260101', iat: 1_700_000_000 };
const claims = (extra: Partial<ActionTokenClaims> & { t: string }): ActionTokenClaims => ({
  ...base,
  ...extra,
});
const FILE = `f1~${'F'.repeat(43)}`;
const ACTION = `a1~${'A'.repeat(43)}`;

describe('ActionTypeRegistry (protocol §2.3)', () => {
  const registry = new ActionTypeRegistry();

  it('knows every built-in type of §2.3, PROXY included', () => {
    expect(registry.types().sort()).toEqual(
      [
        'APKG',
        'APRV',
        'CMNT',
        'CONN',
        'CONV',
        'FLLW',
        'FSHR',
        'IDP:REG',
        'INVT',
        'MSG',
        'POST',
        'PRES',
        'PRINVT',
        'PROXY',
        'REACT',
        'REPOST',
        'STAT',
        'SUBS',
      ].sort(),
    );
  });

  it('looks up the full type first, then the base type with a declared subtype', () => {
    expect(registry.lookup('IDP:REG')?.definition.type).toBe('IDP:REG');
    expect(registry.lookup('POST:IMG')).toMatchObject({
      definition: { type: 'POST' },
      subType: 'IMG',
    });
    expect(registry.lookup('POST:NOPE')).toBeUndefined();
    expect(registry.lookup('IDP')).toBeUndefined();
    expect(registry.lookup('NOPE')).toBeUndefined();
  });

  it.each([
    ['a CONN with its audience', { t: 'CONN', aud: 'bob.example.com', c: 'hi' }],
    ['a CONN:ACC', { t: 'CONN:ACC', aud: 'bob.example.com' }],
    ['a POST', { t: 'POST', c: 'hello' }],
    ['a POST:DEL without content', { t: 'POST:DEL', sub: ACTION }],
    ['a CMNT on a parent', { t: 'CMNT', c: 'nice', p: ACTION }],
    // What the upstream messages app sends (issue 24).
    ['a MSG:TEXT in a conversation', { t: 'MSG:TEXT', c: 'hello', p: ACTION }],
    ['a REACT:LIKE on a subject', { t: 'REACT:LIKE', sub: ACTION }],
    ['a STAT object', { t: 'STAT', p: ACTION, c: { c: 3, r: 'L2' } }],
    [
      'an IDP:REG',
      {
        t: 'IDP:REG',
        aud: 'idp.example.com',
        c: { idTag: 'x.idp.example.com', email: 'x@example.com' },
      },
    ],
    [
      'an FSHR',
      {
        t: 'FSHR:WRITE',
        aud: 'bob.example.com',
        sub: FILE,
        c: { contentType: 'text/plain', fileName: 'a.txt', fileTp: 'BLOB' },
      },
    ],
    ['a CONV', { t: 'CONV', c: { name: 'Team' } }],
    ['an APKG', { t: 'APKG', a: [FILE], c: { name: 'app', version: '1.0.0' } }],
    ['a PROXY', { t: 'PROXY', aud: 'bob.example.com' }],
  ])('accepts %s', (_name, extra) => {
    expect(registry.check(claims(extra as never))).toMatchObject({ ok: true });
  });

  it.each([
    ['an unknown type', { t: 'TASK', c: 'x' }, 'unknown action type'],
    ['an undeclared subtype', { t: 'POST:GIF', c: 'x' }, 'unknown action type'],
    ['a MSG of an undeclared subtype', { t: 'MSG:BOLD', c: 'x' }, 'unknown action type'],
    ['a MSG:TEXT without content', { t: 'MSG:TEXT', p: ACTION }, 'requires c'],
    ['a CONN without audience', { t: 'CONN' }, 'requires aud'],
    ['a CONN with a parent', { t: 'CONN', aud: 'bob.example.com', p: ACTION }, 'must not carry p'],
    ['a POST without content', { t: 'POST' }, 'requires c'],
    ['a POST with an object for content', { t: 'POST', c: { text: 'x' } }, 'schema'],
    ['an oversized POST', { t: 'POST', c: 'x'.repeat(50_001) }, 'schema'],
    ['a CMNT without parent', { t: 'CMNT', c: 'x' }, 'requires p'],
    ['a REACT with content', { t: 'REACT:LIKE', sub: ACTION, c: 'x' }, 'must not carry c'],
    [
      'an FSHR of an unknown kind',
      {
        t: 'FSHR',
        aud: 'b.example.com',
        sub: FILE,
        c: { contentType: 'x', fileName: 'y', fileTp: 'DISK' },
      },
      'schema',
    ],
    [
      'an APKG without attachments',
      { t: 'APKG', a: [], c: { name: 'a', version: '1' } },
      'requires a',
    ],
    ['a PROXY with content', { t: 'PROXY', aud: 'b.example.com', c: 'x' }, 'must not carry c'],
  ])('refuses %s', (_name, extra, reason) => {
    const result = registry.check(claims(extra as never));
    expect(result.ok).toBe(false);
    expect((result as { reason: string }).reason).toContain(reason);
  });

  it('computes dedup keys from the type’s pattern', () => {
    expect(registry.dedupKey(claims({ t: 'CONN:ACC', aud: 'bob.example.com' }))).toBe(
      'CONN:alice.example.com:bob.example.com',
    );
    expect(registry.dedupKey(claims({ t: 'REACT:LOVE', sub: ACTION }))).toBe(
      `REACT:${ACTION}:alice.example.com`,
    );
    expect(registry.dedupKey(claims({ t: 'STAT', p: ACTION, c: {} }))).toBe(`STAT:${ACTION}`);
    expect(
      registry.dedupKey(
        claims({ t: 'IDP:REG', aud: 'idp.example.com', c: { idTag: 'x.idp.example.com' } }),
      ),
    ).toBe('IDP:REG:alice.example.com:idp.example.com:x.idp.example.com');
    expect(
      registry.dedupKey(claims({ t: 'APKG', a: [FILE], c: { name: 'app', version: '1' } })),
    ).toBe('APKG:app');
    expect(registry.dedupKey(claims({ t: 'REPOST', sub: ACTION }))).toBe(
      `REPOST:${ACTION}:alice.example.com:`,
    );
    expect(registry.dedupKey(claims({ t: 'POST', c: 'x' }))).toBeUndefined();
    expect(registry.dedupKey(claims({ t: 'NOPE' }))).toBeUndefined();
  });

  it('is extensible: a new type is one registered definition, and no name is defined twice', () => {
    const extended = new ActionTypeRegistry().register({
      type: 'TASK',
      subTypes: ['DONE', 'DEL'],
      fields: { aud: 'required', c: 'required' },
      content: z.object({ title: z.string().max(200), due: z.string().optional() }),
      behaviour: { allowUnknown: false },
      key: '{type}:{issuer}:{content.title}',
    });
    expect(
      extended.check(claims({ t: 'TASK', aud: 'bob.example.com', c: { title: 'Ship it' } })),
    ).toMatchObject({ ok: true });
    expect(
      extended.check(claims({ t: 'TASK:DONE', aud: 'bob.example.com', c: { title: 7 } })).ok,
    ).toBe(false);
    expect(
      extended.dedupKey(claims({ t: 'TASK', aud: 'bob.example.com', c: { title: 'Ship it' } })),
    ).toBe('TASK:alice.example.com:Ship it');
    expect(
      new ActionTypeRegistry().check(claims({ t: 'TASK', aud: 'b.example.com', c: { title: 'x' } }))
        .ok,
    ).toBe(false);
    expect(() => extended.register(BUILT_IN_ACTION_TYPES[0]!)).toThrow(/already defined/);
    expect(() => extended.register({ type: 'BAD', fields: {}, key: '{type}:{owner}' })).toThrow(
      /unknown key placeholder/,
    );
  });
});
