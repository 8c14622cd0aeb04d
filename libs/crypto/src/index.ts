export {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_TYP,
  accessTokenKid,
  generateAccessTokenKeyPair,
  importAccessTokenPrivateKey,
  importAccessTokenPublicKey,
  signAccessToken,
  verifyAccessToken,
  type AccessTokenKeyLookup,
  type AccessTokenVerifyOptions,
} from './access-token';
export { constantTimeEqual } from './constant-time';
export { hmacTag, hmacTagMatches } from './hmac';
export {
  CONTENT_ID_PREFIXES,
  ContentHasher,
  contentId,
  contentIdOfStream,
  isContentId,
  parseContentId,
  type ContentIdPrefix,
  type ParsedContentId,
} from './content-id';
export { JwtError, KeyFormatError, type JwtErrorCode } from './errors';
export {
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  publicKeyOf,
  type EncodedKeyPair,
} from './keys';
export {
  ES384,
  decodeUnverifiedClaims,
  signJwt,
  verifyJwt,
  type JwtClaims,
  type VerifiedJwt,
  type VerifyOptions,
} from './jwt';
export { encodeBase64url, decodeBase64urlStrict } from './base64url';
export { SecretBox, SecretBoxError } from './secret-box';
export { randomToken, secretDigest } from './secrets';
export { shortHash } from './short-hash';
