import { type ApiCall, apiClient, buildStack } from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  type IdentityHarness,
  loggedInTenants,
  startTestIdentity,
} from '../../identity/test/identity-harness';
import { type AuthHarness, startTestAccessToken } from './auth-harness';

export const TEST_PASSWORD = 'long-password';

/** identity + access-token on one private NATS, with tenants that have a password and a session. */
export interface AuthStack {
  identity: IdentityHarness;
  auth: AuthHarness;
  /** Calls the access-token service as `cl-o.<host>`. */
  call: ApiCall;
  /** A login token of each tenant named in `tenants` (and of the base tenant when logged in). */
  tokens: Record<string, string>;
  close(): Promise<void>;
}

export async function startAuthStack(options: {
  baseIdTag?: string;
  tenants: string[];
  /** Also give the base tenant a password and a session. */
  loginBase?: boolean;
}): Promise<AuthStack> {
  const baseIdTag = options.baseIdTag ?? 'base.localhost';
  return buildStack(async (teardown) => {
    const identity = teardown.add(await startTestIdentity({ baseIdTag }), (h) => h.close());
    const auth = teardown.add(
      await startTestAccessToken({ natsUrl: identity.nats.url, loginFailureDelayMs: 0 }),
      (h) => h.close(),
    );
    const call = apiClient(auth.port);
    const members = options.loginBase ? [baseIdTag, ...options.tenants] : options.tenants;
    const tokens = await loggedInTenants(identity, call, members, TEST_PASSWORD);
    return { identity, auth, call, tokens, close: () => teardown.close() };
  });
}
