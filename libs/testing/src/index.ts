export { testInfra, uniqueName, type TestInfra } from './infra';
export { httpRequest, type HttpCall, type HttpResult } from './http-client';
export { startNatsServer, type NatsServerOptions, type TestNatsServer } from './nats-server';
export { freePort, waitFor } from './net';
export { createTestSchema, type TestSchema } from './pg-schema';
export { startSmtpServer, type ReceivedMail, type TestSmtpServer } from './smtp-server';
export {
  apiClient,
  dataOf,
  errorCodeOf,
  loginAs,
  type ApiCall,
  type ApiCallOptions,
} from './api-client';
export { buildStack, Teardown } from './teardown';
export { spawnService, type ServiceProcess } from './service-process';
