import { type IdpApiKey, type IdpIdentity } from '@cloudillo/db-identity';

export const IDP_STATUSES = ['pending', 'active', 'suspended'] as const;
export type IdpStatus = (typeof IDP_STATUSES)[number];

/** The client's `tIdpIdentity`: optional fields left out, never null. */
export interface IdpIdentityView {
  idTag: string;
  email?: string;
  registrarIdTag: string;
  ownerIdTag?: string;
  address?: string;
  addressUpdatedAt?: string;
  dyndns: boolean;
  status: IdpStatus;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  apiKey?: string;
}

export function toIdentityView(row: IdpIdentity): IdpIdentityView {
  const view: IdpIdentityView = {
    idTag: row.idTag,
    registrarIdTag: row.registrarIdTag,
    dyndns: row.dyndns,
    status: row.status as IdpStatus,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
  if (row.email !== null) view.email = row.email;
  if (row.ownerIdTag !== null) view.ownerIdTag = row.ownerIdTag;
  if (row.address !== null) view.address = row.address;
  if (row.addressUpdatedAt !== null) view.addressUpdatedAt = row.addressUpdatedAt.toISOString();
  return view;
}

/** The client's `tIdpApiKey`. */
export interface IdpApiKeyView {
  id: number;
  idTag: string;
  keyPrefix: string;
  name?: string;
  createdAt: string;
  lastUsedAt?: string;
  expiresAt?: string;
}

export function toApiKeyView(row: IdpApiKey): IdpApiKeyView {
  const view: IdpApiKeyView = {
    id: row.id,
    idTag: row.idTag,
    keyPrefix: row.keyPrefix,
    createdAt: row.createdAt.toISOString(),
  };
  if (row.name !== null) view.name = row.name;
  if (row.lastUsedAt !== null) view.lastUsedAt = row.lastUsedAt.toISOString();
  if (row.expiresAt !== null) view.expiresAt = row.expiresAt.toISOString();
  return view;
}
