export { testInfra, uniqueName, type TestInfra } from './infra';
export { freePort, waitFor } from './net';
export { createTestSchema, type TestSchema } from './pg-schema';
