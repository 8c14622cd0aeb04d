import { type KeyObject } from 'node:crypto';

import { p384 } from '@noble/curves/nist.js';
import { CompactSign, compactVerify } from 'jose';

import { decodeBase64urlStrict, encodeBase64url } from './base64url';
import { JwtError } from './errors';

/** The only algorithm our P-384 keys sign with; pinned by the key, never read from the token. */
export const ES384 = 'ES384';
const SIGNATURE_BYTES = 96;
const encoder = new TextEncoder();

export type JwtClaims = Record<string, unknown>;

export interface VerifiedJwt {
  header: Record<string, unknown>;
  claims: JwtClaims;
}

export interface VerifyOptions {
  /** Current time in Unix seconds (injected clock); defaults to the system clock. */
  now?: number;
  /** Leeway for `exp` and `nbf`, in seconds. */
  clockSkewSeconds?: number;
  /** Refuse tokens without `exp`. */
  requireExp?: boolean;
  /**
   * Refuse high-S signatures. Off by default for peers' action tokens: the reference signs with
   * ring, which does not normalise S, so half of its tokens would be refused.
   */
  requireLowS?: boolean;
}

/**
 * Signs `claims` as a compact ES384 JWT with the header `{"typ":"JWT","alg":"ES384"}` (the
 * reference's byte order). The signature is normalised to low S, so our tokens pass the strictest
 * verifiers and cannot be re-spelled by a third party into a second valid token (and id).
 */
export async function signJwt(claims: JwtClaims, privateKey: KeyObject): Promise<string> {
  const token = await new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ typ: 'JWT', alg: ES384 })
    .sign(privateKey);
  const dot = token.lastIndexOf('.');
  const signature = p384.Signature.fromBytes(
    Buffer.from(token.slice(dot + 1), 'base64url'),
    'compact',
  );
  if (!signature.hasHighS()) return token;
  const lowS = new p384.Signature(signature.r, p384.Point.CURVE().n - signature.s);
  return `${token.slice(0, dot)}.${encodeBase64url(lowS.toBytes('compact'))}`;
}

function parseJsonObject(segment: string, what: string): Record<string, unknown> {
  const bytes = decodeBase64urlStrict(segment);
  if (!bytes || bytes.length === 0) throw new JwtError('jwt.malformed', `${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new JwtError('jwt.malformed', `${what} is not JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwtError('jwt.malformed', `${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function checkSignatureEncoding(segment: string, requireLowS: boolean): void {
  const bytes = decodeBase64urlStrict(segment);
  if (!bytes || bytes.length !== SIGNATURE_BYTES) {
    throw new JwtError('jwt.signature', 'signature is not a canonical 96-byte r||s');
  }
  let signature;
  try {
    signature = p384.Signature.fromBytes(bytes, 'compact');
  } catch (cause) {
    throw new JwtError('jwt.signature', 'signature scalars are out of range', { cause });
  }
  if (requireLowS && signature.hasHighS()) {
    throw new JwtError('jwt.signature', 'signature is not low-S');
  }
}

function checkTimes(claims: JwtClaims, now: number, skew: number, requireExp: boolean): void {
  const { exp, nbf } = claims;
  if (exp === undefined) {
    if (requireExp) throw new JwtError('jwt.claims', 'exp is required');
  } else if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new JwtError('jwt.claims', 'exp is not a number');
  } else if (now > exp + skew) {
    throw new JwtError('jwt.expired', 'token has expired');
  }
  if (nbf === undefined) return;
  if (typeof nbf !== 'number' || !Number.isFinite(nbf)) {
    throw new JwtError('jwt.claims', 'nbf is not a number');
  }
  if (now + skew < nbf) throw new JwtError('jwt.not-yet-valid', 'token is not valid yet');
}

/**
 * Verifies a compact JWT against a P-384 public key. The algorithm comes from the key (ES384):
 * a header saying anything else (`none`, `HS256`, …) is refused before any crypto runs.
 */
export async function verifyJwt(
  token: string,
  publicKey: KeyObject,
  options: VerifyOptions = {},
): Promise<VerifiedJwt> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('jwt.malformed', 'token must have three parts');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = parseJsonObject(headerPart, 'header');
  if (header['alg'] !== ES384) {
    throw new JwtError(
      'jwt.algorithm',
      `algorithm ${String(header['alg'])} is not allowed for this key`,
    );
  }
  if (header['crit'] !== undefined)
    throw new JwtError('jwt.malformed', 'crit headers are not supported');
  checkSignatureEncoding(signaturePart, options.requireLowS ?? false);
  try {
    await compactVerify(token, publicKey, { algorithms: [ES384] });
  } catch (cause) {
    throw new JwtError('jwt.signature', 'signature does not verify', { cause });
  }
  const claims = parseJsonObject(payloadPart, 'payload');
  const now = options.now ?? Math.floor(Date.now() / 1000);
  checkTimes(claims, now, options.clockSkewSeconds ?? 60, options.requireExp ?? false);
  return { header, claims };
}

/** Reads a token's claims WITHOUT verifying them: only to find the issuer and key id to verify with. */
export function decodeUnverifiedClaims(token: string): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('jwt.malformed', 'token must have three parts');
  return parseJsonObject(parts[1] as string, 'payload');
}
