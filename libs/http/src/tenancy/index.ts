export { followTenantChanges, identityTenantSource, type TenantChange } from './identity-source';
export { RequestTenants, TENANT_HEADER_SECRET, tenantOfRequest } from './request-tenants';
export { Tenant } from './tenant.decorator';
export { TENANT_SOURCE, tenancyProviders, type TenancyOptions } from './tenancy.providers';
