export { createIdentityDb, type IdentityDb, type IdentityDbOptions } from './client';
export { Prisma } from './generated/client';
export type { IdpApiKey, IdpIdentity, Tenant, TenantKey } from './generated/client';
