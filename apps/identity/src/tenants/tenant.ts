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
  coverPic?: string;
  appDomain?: string;
  /** Profile sections (protocol §1.2); `<field>.vis` markers included. */
  x: Record<string, string>;
}

export interface PublishedKey {
  keyId: string;
  publicKey: string;
  expiresAt?: Date;
}

/** A tenant's name until it sets one: the first label of its id_tag (`alice` of alice.example.com). */
export function defaultTenantName(idTag: string): string {
  const [label = idTag] = idTag.split('.');
  return label;
}

export interface NewTenant {
  idTag: string;
  type: ProfileType;
  name: string;
  roles: string[];
  appDomain?: string;
}
