import { toASCII } from 'tr46';
import {
  apiBaseUrl,
  idTagFromApiHost,
  idTagSchema,
  isIdTag,
  normalizeHost,
  parseIdTag,
} from './id-tag';

describe('parseIdTag (protocol §1.1)', () => {
  it.each([
    ['alice.example.com', 'alice.example.com', 'alice.example.com'],
    ['demo.localhost', 'demo.localhost', 'demo.localhost'],
    ['bücher.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', 'bücher.example'],
    // Non-transitional processing keeps ß (IDNA 2008), as the reference's idna crate does.
    ['faß.example', 'xn--fa-hia.example', 'faß.example'],
    // NFC: a decomposed ü is the same identity as the composed one.
    ['bu\u0308cher.example', 'xn--bcher-kva.example', 'bücher.example'],
  ])('accepts %s as %s / %s', (input, ascii, unicode) => {
    expect(parseIdTag(input)).toEqual({ ascii, unicode });
  });

  it.each([
    ['empty', ''],
    ['uppercase', 'Alice.example.com'],
    ['uppercase non-ASCII', 'Ü.example.com'],
    ['underscore', 'a_b.example.com'],
    ['slash', 'a/b.example.com'],
    ['at sign', 'a@example.com'],
    ['colon', 'example.com:443'],
    ['space', 'alice .example.com'],
    ['tab', 'alice\t.example.com'],
    ['too short', 'a.bc'],
    ['too long', `${'a'.repeat(59)}.com`],
    ['leading hyphen', '-alice.example.com'],
    ['empty label', 'alice..example.com'],
    ['trailing dot', 'alice.example.com.'],
    ['disallowed symbol', 'alice!.example.com'],
  ])('refuses %s', (_name, input) => {
    expect(parseIdTag(input)).toBeUndefined();
    expect(isIdTag(input)).toBe(false);
  });

  it('takes plain lowercase ASCII names on a fast path that agrees with full UTS-46 processing', () => {
    const uts46 = (name: string) => {
      const ascii = toASCII(name, {
        checkHyphens: true,
        checkBidi: true,
        checkJoiners: true,
        useSTD3ASCIIRules: true,
        transitionalProcessing: false,
        verifyDNSLength: true,
      });
      return ascii !== null && ascii.length >= 5 && ascii.length <= 62 ? ascii : undefined;
    };
    for (const name of [
      'alice.example.com',
      'a-b.example.com',
      '1.example',
      'ab--cd.example',
      'xn--bcher-kva.example',
      'alice-.example.com',
      'a.b.c.d.e',
      `${'a'.repeat(58)}.com`,
      'abcd',
    ]) {
      expect([name, parseIdTag(name)?.ascii]).toEqual([name, uts46(name)]);
    }
  });

  it('measures length on the A-label: 62 passes, 63 fails', () => {
    expect(parseIdTag(`${'a'.repeat(58)}.com`)?.ascii).toHaveLength(62);
    expect(parseIdTag(`${'a'.repeat(59)}.com`)).toBeUndefined();
    // 25 characters in Unicode, 63 as an A-label.
    expect(parseIdTag('日本語のドメイン名例です長い名前テストです.com')).toBeUndefined();
  });
});

describe('hosts', () => {
  it.each([
    ['cl-o.alice.example.com', 'cl-o.alice.example.com'],
    ['CL-O.Alice.Example.com:8080', 'cl-o.alice.example.com'],
    ['cl-o.alice.example.com.', 'cl-o.alice.example.com'],
    ['cl-o.alice.example.com.:443', 'cl-o.alice.example.com'],
    ['[::1]:8080', '[::1]'],
    [' localhost ', 'localhost'],
  ])('normalizeHost(%s) = %s', (host, expected) => {
    expect(normalizeHost(host)).toBe(expected);
  });

  it('finds the tenant of an API host and nothing for other hosts', () => {
    expect(idTagFromApiHost('cl-o.demo.localhost:8080')?.ascii).toBe('demo.localhost');
    expect(idTagFromApiHost('CL-O.Demo.Localhost')?.ascii).toBe('demo.localhost');
    expect(idTagFromApiHost('demo.localhost')).toBeUndefined();
    expect(idTagFromApiHost('cl-o.a_b.localhost')).toBeUndefined();
    expect(idTagFromApiHost('[::1]:80')).toBeUndefined();
  });

  it('builds the public API base URL from the A-label', () => {
    expect(apiBaseUrl(parseIdTag('bücher.example')!)).toBe('https://cl-o.xn--bcher-kva.example');
  });
});

describe('idTagSchema', () => {
  it('yields the A-label and reports invalid input as a zod issue', () => {
    expect(idTagSchema.parse('bücher.example')).toBe('xn--bcher-kva.example');
    const result = idTagSchema.safeParse('Nope');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('not a valid id_tag');
  });
});
