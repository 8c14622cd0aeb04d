export { ConfigError, parseEnv } from './parse-env';
export { envBool, envBytes, envCsv, envPort, envUrl, envUrlMap } from './schemas';
