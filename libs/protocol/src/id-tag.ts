import { toASCII, toUnicode } from 'tr46';
import { z } from 'zod';

/** An id_tag in both spellings: `unicode` is the canonical stored form, `ascii` the wire form. */
export interface IdTag {
  unicode: string;
  ascii: string;
}

export const ID_TAG_MIN_LENGTH = 5;
export const ID_TAG_MAX_LENGTH = 62;

/** Characters the reference refuses outright (protocol §1.1), uppercase included. */
const REFUSED = /[_/@:\s\p{Lu}]/u;

const UTS46 = {
  checkHyphens: true,
  checkBidi: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
  verifyDNSLength: true,
} as const;

const PLAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Lowercase LDH labels with no hyphens in positions 3–4 (so no `xn--` A-labels): names UTS-46
 * leaves as they are, and accepts under the options above. Anything else takes the full path.
 */
function isPlainAscii(input: string): boolean {
  if (input.length > ID_TAG_MAX_LENGTH) return false;
  for (const label of input.split('.')) {
    if (!PLAIN_LABEL.test(label) || label.slice(2, 4) === '--') return false;
  }
  return true;
}

/**
 * Validates and canonicalises an id_tag (UTS-46 non-transitional, STD3, NFC, lower case; 5–62
 * characters as an A-label). Uppercase is refused rather than folded: an id_tag is an identity,
 * and two spellings of one would sign as two.
 */
export function parseIdTag(input: string): IdTag | undefined {
  if (input.length === 0 || REFUSED.test(input)) return undefined;
  // Almost every id_tag on the wire is already a lowercase LDH name: UTS-46 maps it to itself.
  if (isPlainAscii(input)) {
    return input.length < ID_TAG_MIN_LENGTH || input.length > ID_TAG_MAX_LENGTH
      ? undefined
      : { ascii: input, unicode: input };
  }
  const ascii = toASCII(input.normalize('NFC'), UTS46);
  if (ascii === null || ascii.length < ID_TAG_MIN_LENGTH || ascii.length > ID_TAG_MAX_LENGTH) {
    return undefined;
  }
  return { ascii, unicode: toUnicode(ascii, UTS46).domain };
}

export function isIdTag(input: string): boolean {
  return parseIdTag(input) !== undefined;
}

/** The prefix of every tenant's API host: `cl-o.<id_tag>`. */
export const API_HOST_PREFIX = 'cl-o.';

/** Lower-cases a Host header and strips its port and trailing dot (hosts are case-insensitive). */
export function normalizeHost(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) return name.slice(0, name.indexOf(']') + 1);
  const colon = name.lastIndexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The tenant of an API request, from `Host: cl-o.<id_tag>[:port]`; undefined for any other host. */
export function idTagFromApiHost(host: string): IdTag | undefined {
  const name = normalizeHost(host);
  if (!name.startsWith(API_HOST_PREFIX)) return undefined;
  return parseIdTag(name.slice(API_HOST_PREFIX.length));
}

/** The API base URL of a tenant on the public network (protocol §1.1). */
export function apiBaseUrl(idTag: IdTag): string {
  return `https://${API_HOST_PREFIX}${idTag.ascii}`;
}

/** A zod schema accepting a valid id_tag and producing its canonical wire (A-label) form. */
export const idTagSchema = z.string().transform((value, ctx) => {
  const parsed = parseIdTag(value);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: 'not a valid id_tag' });
    return z.NEVER;
  }
  return parsed.ascii;
});
