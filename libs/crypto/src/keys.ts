import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCb,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';

import { KeyFormatError } from './errors';

const generateKeyPairAsync = promisify(generateKeyPairCb);
const P384 = 'secp384r1';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A P-384 key pair in the Cloudillo wire encoding (protocol §1.3): the public key is the base64
 * body of its SPKI DER, the private key the base64 body of its PKCS#8 DER.
 */
export interface EncodedKeyPair {
  publicKey: string;
  privateKey: string;
}

/** Generates a P-384 (ES384) key pair, encoded for storage and for `/api/me`. */
export async function generateKeyPair(): Promise<EncodedKeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('ec', { namedCurve: P384 });
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

function decodeBase64(b64: string, what: string): Buffer {
  const compact = b64.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new KeyFormatError(`${what} is not base64`);
  return Buffer.from(compact, 'base64');
}

function assertP384(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== P384) {
    throw new KeyFormatError(`${what} is not a P-384 key`);
  }
  return key;
}

function importDer(base64: string, kind: 'public' | 'private'): KeyObject {
  const what = `${kind} key`;
  const der = decodeBase64(base64, what);
  let key: KeyObject;
  try {
    key =
      kind === 'public'
        ? createPublicKey({ key: der, format: 'der', type: 'spki' })
        : createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new KeyFormatError(`${what} is not ${kind === 'public' ? 'SPKI' : 'PKCS#8'} DER`, {
      cause,
    });
  }
  return assertP384(key, what);
}

/** Parses a base64 SPKI DER public key; only P-384 keys are accepted. */
export function importPublicKey(spkiBase64: string): KeyObject {
  return importDer(spkiBase64, 'public');
}

/** Parses a base64 PKCS#8 DER private key; only P-384 keys are accepted. */
export function importPrivateKey(pkcs8Base64: string): KeyObject {
  return importDer(pkcs8Base64, 'private');
}

/** The public half of a private key, in the wire encoding. */
export function publicKeyOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
}
