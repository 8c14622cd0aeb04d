export { admitTenant, unknownTenant } from './tenant-admission';
export { type TenantContext, type TenantRef } from './tenant-context';
export {
  readTenantHeader,
  signTenantHeader,
  TENANT_HEADER,
  TENANT_HEADER_MAX_AGE_S,
} from './tenant-header';
export { TenantResolver, type TenantResolverOptions, type TenantSource } from './tenant-resolver';
