export { ConfigError, parseEnv } from './parse-env';
export {
  envBool,
  envBytes,
  envCsv,
  envPort,
  envSecretKey32,
  envTenantHeaderSecret,
  envUrl,
  envUrlMap,
} from './schemas';
export { assertSupportedNode, MIN_NODE_MAJOR, UnsupportedRuntimeError } from './runtime';
