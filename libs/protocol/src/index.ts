export {
  ACCESS_TOKEN_TTL_SECONDS,
  accessTokenClaimsSchema,
  parseRoles,
  type AccessTokenClaims,
} from './access-token';
export {
  actionTokenClaimsSchema,
  receivedActionTokenClaimsSchema,
  splitActionType,
  type ActionTokenClaims,
} from './action-token';
export { decodeCursor, encodeCursor, type Cursor } from './cursor';
export {
  ACTION_STATUSES,
  COMMUNITY_ROLES,
  PROFILE_TYPES,
  SERVER_ADMIN_ROLE,
  SUBSCRIPTION_ROLES,
  TENANT_STATUSES,
  VISIBILITIES,
  expandRole,
  visibilitySchema,
  type ActionStatus,
  type CommunityRole,
  type ProfileType,
  type SubscriptionRole,
  type TenantStatus,
  type Visibility,
} from './enums';
export {
  apiErrorBodySchema,
  errorBody,
  isValidRequestId,
  okEnvelope,
  type ApiEnvelope,
  type ApiErrorBody,
  type CursorPagination,
} from './envelope';
export {
  AppError,
  ConflictError,
  ERROR_CODES,
  ERROR_STATUS,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  isAppError,
  isErrorCode,
  type AppErrorOptions,
  type ErrorCode,
} from './errors';
export {
  API_HOST_PREFIX,
  ID_TAG_MAX_LENGTH,
  ID_TAG_MIN_LENGTH,
  apiBaseUrl,
  idTagFromApiHost,
  idTagSchema,
  isIdTag,
  normalizeHost,
  parseIdTag,
  type IdTag,
} from './id-tag';
export { isPeerMapName, PeerDirectory } from './peer-directory';
export { type ProfileKey, type PublicProfile } from './profile';
export { parseFileScope, scopeAllowsPath } from './scope';
export * from './action-types';
export {
  SETTINGS,
  SETTING_NAMES,
  isSettingName,
  type SettingDefinition,
  type SettingName,
  type SettingPermission,
  type SettingValue,
} from './settings';
export { CONTENT_FILE_ID, FILE_ID, NAMED_FILE_ID, TEMP_FILE_ID } from './file-ids';
