import { type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { tenancyProviders, type TenancyOptions } from '../tenancy/tenancy.providers';
import { AccessTokenVerifier } from './access-token-verifier';
import { AuthGuard } from './auth.guard';
import { UpgradeAuthenticator } from './upgrade-auth';

/**
 * What a service adds to its module to find each request's tenant and protect every HTTP route
 * (needs MessagingModule).
 */
export function authProviders(options: TenancyOptions = {}): Provider[] {
  return [
    AccessTokenVerifier,
    UpgradeAuthenticator,
    ...tenancyProviders(options),
    { provide: APP_GUARD, useClass: AuthGuard },
  ];
}
