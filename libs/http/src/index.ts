export { ApiTenant, apiTenantOf } from './api-tenant';
export { configureHttpApp, type HttpAppOptions } from './configure-http-app';
export { EnvelopeInterceptor, Page } from './envelope.interceptor';
export { HealthController, READINESS_CHECKS, type ReadinessCheck } from './health.controller';
export { HttpErrorFilter } from './http-error.filter';
export { RawResponse } from './raw-response';
export { requestMeta, type RequestMeta } from './request';
export { REQUEST_ID_HEADER, requestIdMiddleware } from './request-id.middleware';
export { ZodPipe } from './zod.pipe';
