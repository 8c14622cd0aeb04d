export {
  PASSWORD_MIN_LENGTH,
  passwordSchema,
  sendWelcome,
  setTenantPassword,
} from './auth/credentials';
export { issueProxyToken } from './auth/proxy-token';
export { consumeRef, REF_TYPES, refIdSchema, releaseRef, type RefType } from './auth/refs';
export { revokedSessions, sessionRevoked } from './auth/sessions';
export { accessTokenKeys, accessTokenKeysChanged } from './auth/verifier-keys';
export { ContractClient, type PublishOptions, type RpcTransport } from './client';
export {
  DEFAULT_TIMEOUT_MS,
  defineEvent,
  defineRequest,
  type EventContract,
  type EventPayload,
  type RequestContract,
  type HandlerInput,
  type HandlerReply,
  type RequestOf,
  type ResponseOf,
} from './define';
export { actionStored, createAction, fileShareGrant } from './federation/actions';
export { idpRegistrationContent, registerAtIdp } from './identity/idp';
export { keyRotated } from './identity/key-rotated';
export { resolveKey } from './identity/resolve-key';
export { resolveTenant } from './identity/resolve-tenant';
export { signWithTenantKey } from './identity/sign';
export { getSettings } from './identity/settings';
export {
  createTenant,
  getRelationship,
  getTenant,
  listFollowers,
  listTenants,
  profileChanged,
  purgeTenant,
  relationship,
  type Relationship,
  rolesAtTenant,
  rotateTenantKey,
  setProfilePicture,
  setTenantStatus,
  tenantCreated,
  tenantPurged,
  tenantStatusChanged,
  tenantView,
  updateRelationship,
  type TenantView,
} from './identity/tenants';
export { fromRpcError, rpcErrorSchema, toRpcError, type RpcError } from './rpc-error';
export {
  acceptSharedFile,
  fileCaller,
  fileIdGenerated,
  fileLinkAccess,
  openFile,
  prepareAttachments,
  type FileCaller,
  syncFile,
} from './blob/files';
export { rtdbChanged, type RtdbChange } from './collab/rtdb';
export { collabFileChanged, copyCollabFile } from './collab/files';
