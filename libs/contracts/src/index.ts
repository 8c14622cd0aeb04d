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
export { resolveTenant } from './identity/resolve-tenant';
export { fromRpcError, rpcErrorSchema, toRpcError, type RpcError } from './rpc-error';
