export * from './auth';
export * from './tenancy';
export { configureHttpApp, type HttpAppOptions } from './configure-http-app';
export { EnvelopeInterceptor, Page } from './envelope.interceptor';
export { HealthController, READINESS_CHECKS, type ReadinessCheck } from './health.controller';
export { describeError, HttpErrorFilter } from './http-error.filter';
export { declaredTooLarge } from './declared-length';
export { etagMatches } from './etag-match';
export { type FastRoute, installFastRoutes, takeRequestsFirst } from './fast-routes';
export { RawResponse } from './raw-response';
export { REPLAY_HEADER, Replayable } from './replays';
export { startService, type ServiceOptions } from './start-service';
export { requestMeta, type RequestMeta } from './request';
export { REQUEST_ID_HEADER, requestIdMiddleware } from './request-id.middleware';
export {
  STORE_READ_OFFER,
  STORE_READ_RANGE,
  STORE_READ_TTL_SECONDS,
  STORE_READ_URL,
} from './store-reads';
export { parseRequest, ZodPipe } from './zod.pipe';
