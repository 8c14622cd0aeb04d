/** Codes for every way a token can fail verification; callers map them to protocol errors. */
export type JwtErrorCode =
  | 'jwt.malformed'
  | 'jwt.algorithm'
  | 'jwt.signature'
  | 'jwt.expired'
  | 'jwt.not-yet-valid'
  | 'jwt.claims'
  /** The key is unknown to the verifier or of the wrong type. */
  | 'jwt.key';

/** A token that must not be trusted. `code` is stable; tests and callers branch on it. */
export class JwtError extends Error {
  override readonly name = 'JwtError';
  constructor(
    readonly code: JwtErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Key material that cannot be used (wrong encoding, wrong curve, wrong type). */
export class KeyFormatError extends Error {
  override readonly name = 'KeyFormatError';
}
