import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCb,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';

import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';

import { JwtError } from './errors';
import { type JwtClaims, type VerifiedJwt } from './jwt';
import { type EncodedKeyPair } from './keys';

const generateKeyPairAsync = promisify(generateKeyPairCb);

/**
 * Access tokens are signed with Ed25519 and typed `at+jwt` (RFC 9068), action tokens with P-384 and
 * typed `JWT`. Each verifier pins its own algorithm and type, so neither ever accepts the other's
 * tokens, whatever a token's header claims.
 */
export const ACCESS_TOKEN_ALG = 'EdDSA';
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Generates the access-token service's Ed25519 signing key, SPKI / PKCS#8 DER in base64. */
export async function generateAccessTokenKeyPair(): Promise<EncodedKeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

function assertEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new JwtError('jwt.key', `${what} is not Ed25519`);
  return key;
}

export function importAccessTokenPublicKey(spkiBase64: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new JwtError('jwt.key', 'public key is not SPKI DER', { cause });
  }
  return assertEd25519(key, 'public key');
}

export function importAccessTokenPrivateKey(pkcs8Base64: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: Buffer.from(pkcs8Base64, 'base64'),
      format: 'der',
      type: 'pkcs8',
    });
  } catch (cause) {
    throw new JwtError('jwt.key', 'private key is not PKCS#8 DER', { cause });
  }
  return assertEd25519(key, 'private key');
}

/** Signs access-token claims; the caller sets `iss`, `sub`, `exp` … and names the key by `kid`. */
export function signAccessToken(
  claims: JwtClaims,
  privateKey: KeyObject,
  kid: string,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, kid })
    .sign(privateKey);
}

/** Finds the public key for a `kid`; undefined when the verifier does not know it. */
export type AccessTokenKeyLookup = (kid: string) => KeyObject | undefined;

export interface AccessTokenVerifyOptions {
  /** Current time in Unix seconds (injected clock); defaults to the system clock. */
  now?: number;
  /** Leeway for `exp` and `nbf`, in seconds. */
  clockSkewSeconds?: number;
}

/**
 * The `kid` of a token that claims to be an access token, read before verifying so that the
 * caller can fetch an unknown key first. Anything else (an action token, `alg: none`, HS256 …)
 * is refused here, before any key is looked up.
 */
export function accessTokenKid(token: string): string {
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw new JwtError('jwt.malformed', 'token header is not a JWT header', { cause });
  }
  if (header.alg !== ACCESS_TOKEN_ALG || header.typ !== ACCESS_TOKEN_TYP) {
    throw new JwtError('jwt.algorithm', 'not an access token (alg/typ)');
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new JwtError('jwt.malformed', 'access token without kid');
  }
  return header.kid;
}

const JOSE_CODES: Record<string, JwtError['code']> = {
  ERR_JWT_EXPIRED: 'jwt.expired',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'jwt.signature',
  ERR_JWT_INVALID: 'jwt.malformed',
  ERR_JWS_INVALID: 'jwt.malformed',
};

/**
 * Verifies an access token: EdDSA and `at+jwt` pinned, signature against the key its `kid`
 * names, `exp` required. Claims beyond the registered ones are the caller's to check.
 */
export async function verifyAccessToken(
  token: string,
  lookup: AccessTokenKeyLookup,
  options: AccessTokenVerifyOptions = {},
): Promise<VerifiedJwt> {
  const kid = accessTokenKid(token);
  const key = lookup(kid);
  if (!key) throw new JwtError('jwt.key', `unknown access-token key ${kid}`);
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      algorithms: [ACCESS_TOKEN_ALG],
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: ['exp'],
      clockTolerance: options.clockSkewSeconds ?? 0,
      ...(options.now === undefined ? {} : { currentDate: new Date(options.now * 1000) }),
    });
    return {
      header: protectedHeader as Record<string, unknown>,
      claims: payload as Record<string, unknown>,
    };
  } catch (cause) {
    // jose's errors carry a stable `code`; claim failures (nbf, missing exp …) are all jwt.claims.
    const code = JOSE_CODES[String((cause as { code?: unknown }).code)] ?? 'jwt.claims';
    throw new JwtError(code, (cause as Error).message, { cause });
  }
}
