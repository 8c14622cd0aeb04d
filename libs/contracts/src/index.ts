export { ContractClient, type RpcTransport } from './client';
export {
  DEFAULT_TIMEOUT_MS,
  defineEvent,
  defineRequest,
  type EventContract,
  type RequestContract,
  type RequestOf,
  type ResponseOf,
} from './define';
export { keyRotated } from './identity/key-rotated';
export { resolveKey } from './identity/resolve-key';
export { resolveTenant } from './identity/resolve-tenant';
export { signWithTenantKey } from './identity/sign';
export { fromRpcError, rpcErrorSchema, toRpcError, type RpcError } from './rpc-error';
