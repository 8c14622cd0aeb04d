export { createIdentityDb, type IdentityDb, type IdentityDbOptions } from './client';
export { Prisma } from './generated/client';
export type { Tenant, TenantKey } from './generated/client';
