export { compileWasmAtBaseline, poolConfig, type PostgresOptions } from './postgres';
