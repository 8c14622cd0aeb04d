import { type ProfileType } from '@cloudillo/protocol';

/**
 * The client's `ProfileInfo` (GET /api/profiles, PATCH /api/me …): optional fields are left out,
 * never null (the client rejects null where a field is optional).
 */
export interface ProfileInfo {
  idTag: string;
  name?: string;
  type?: ProfileType;
  profilePic?: string;
  status?: 'A' | 'B' | 'M' | 'S';
  connected?: boolean | 'R';
  following?: boolean;
  follower?: boolean;
  trust?: 'always' | 'never';
  roles?: string[];
  hiddenInHome?: boolean;
  x?: Record<string, string>;
}
