import { type ApiKey } from '@cloudillo/db-auth';

/** The client's `tApiKeyListItem`: times in Unix seconds, optional fields left out. */
export interface ApiKeyView {
  keyId: number;
  keyPrefix: string;
  name?: string;
  scopes?: string;
  expiresAt?: number;
  lastUsedAt?: number;
  createdAt: number;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function toApiKeyView(key: ApiKey): ApiKeyView {
  const view: ApiKeyView = {
    keyId: key.keyId,
    keyPrefix: key.keyPrefix,
    createdAt: seconds(key.createdAt),
  };
  if (key.name !== null) view.name = key.name;
  if (key.scopes !== null) view.scopes = key.scopes;
  if (key.expiresAt !== null) view.expiresAt = seconds(key.expiresAt);
  if (key.lastUsedAt !== null) view.lastUsedAt = seconds(key.lastUsedAt);
  return view;
}
