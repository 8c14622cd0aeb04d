import { normalMime } from './media';

/**
 * Types a browser shows without running anything: served inline. Everything else — HTML, XML,
 * XHTML, SVG in any spelling, scripts, unknown types — is served as an attachment, so a file
 * cannot become a page of the tenant's API origin (`cl-o.<tenant>`), where tokens live.
 */
const INLINE = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/x-icon',
  'application/pdf',
  'text/plain',
  'application/octet-stream',
]);
const INLINE_CLASSES = ['audio/', 'video/'];

/**
 * Sent with every file answer (bytes, redirect or error): no script runs in it, nothing is
 * sniffed into another type, and no `Referer` carries a `?token=` away.
 */
export const FILE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "sandbox; default-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface ServedType {
  /** The stored type, normalised; a malformed one becomes `application/octet-stream`. */
  type: string;
  /** Shown in the browser (`Content-Disposition: inline`), or downloaded (`attachment`). */
  inline: boolean;
  /**
   * May be read through a signed store URL, which carries neither a CSP nor `nosniff`: only
   * types no browser runs or sniffs (not text, not unknown bytes).
   */
  direct: boolean;
}

export function servedType(stored: string): ServedType {
  const type = normalMime(stored) ?? 'application/octet-stream';
  const inline = INLINE.has(type) || INLINE_CLASSES.some((prefix) => type.startsWith(prefix));
  const direct = inline && type !== 'text/plain' && type !== 'application/octet-stream';
  return { type, inline, direct };
}
