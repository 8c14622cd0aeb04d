import { importPublicKey } from '@cloudillo/crypto';
import { PROFILE_TYPES } from '@cloudillo/protocol';
import { z } from 'zod';

/** A published key must be a P-384 SPKI; anything else makes the whole profile unusable. */
const publicKey = z
  .string()
  .max(1024)
  .refine((value) => {
    try {
      importPublicKey(value);
      return true;
    } catch {
      return false;
    }
  }, 'not a P-384 public key');

/** A peer's `GET /api/me` as we accept it (protocol §1.2), in its envelope. */
export const remoteProfileSchema = z.object({
  data: z.object({
    idTag: z.string().max(253),
    name: z.string().max(200).default(''),
    type: z.enum(PROFILE_TYPES).default('person'),
    profilePic: z.string().max(128).optional(),
    keys: z
      .array(
        z.object({
          keyId: z.string().min(1).max(32),
          publicKey,
          expiresAt: z.iso.datetime({ offset: true }).optional(),
        }),
      )
      // Retired keys stay published (a 90-day rotation makes four a year): room for decades.
      .max(256),
  }),
});

export type RemoteProfileDocument = z.output<typeof remoteProfileSchema>['data'];
