import { type ProfileType } from './enums';

/** One published signing key of a profile (protocol §1.2); `expiresAt` only once it is retiring. */
export interface ProfileKey {
  keyId: string;
  publicKey: string;
  expiresAt?: string;
}

/** `GET /api/me`: the public federation profile (protocol §1.2, client contract `tProfileKeys`). */
export interface PublicProfile {
  idTag: string;
  name: string;
  type: ProfileType;
  profilePic?: string;
  keys: ProfileKey[];
}
