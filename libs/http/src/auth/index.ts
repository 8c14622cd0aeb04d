export { AccessTokenVerifier } from './access-token-verifier';
export { authOf, holdsRole, type AuthContext, type RequiredRole } from './auth-context';
export { AUTH_POLICY, Authenticated, OptionalAuth, Public, type AuthPolicy } from './auth-policy';
export { ApiKey, AuthUser, OptionalAuthUser } from './auth-user.decorator';
export { AuthGuard } from './auth.guard';
export { authProviders } from './auth.providers';
export { requestUrl, UpgradeAuthenticator, type UpgradeCaller } from './upgrade-auth';
