import { type ProfileType, type TenantStatus } from '@cloudillo/protocol';

/** A tenant as the service works with it (no Prisma types past the repository). */
export interface TenantRecord {
  tnId: number;
  idTag: string;
  type: ProfileType;
  name: string;
  status: TenantStatus;
  roles: string[];
  profilePic?: string;
  appDomain?: string;
}

export interface PublishedKey {
  keyId: string;
  publicKey: string;
  expiresAt?: Date;
}

export interface NewTenant {
  idTag: string;
  type: ProfileType;
  name: string;
  roles: string[];
}
