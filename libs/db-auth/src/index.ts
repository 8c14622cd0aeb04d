export { createAuthDb, type AuthDb, type AuthDbOptions } from './client';
export { Prisma } from './generated/client';
export type {
  ApiKey,
  Credential,
  Ref,
  Session,
  SigningKey,
  WebAuthnCredential,
} from './generated/client';
