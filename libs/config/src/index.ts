export { ConfigError, parseEnv } from './parse-env';
export { envBool, envBytes, envPort, envUrl, envUrlMap } from './schemas';
