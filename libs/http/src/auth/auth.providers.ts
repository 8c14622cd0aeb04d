import { type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { AccessTokenVerifier } from './access-token-verifier';
import { AuthGuard } from './auth.guard';

/** What a service adds to its module to protect every HTTP route (needs MessagingModule). */
export const AUTH_PROVIDERS: Provider[] = [
  AccessTokenVerifier,
  { provide: APP_GUARD, useClass: AuthGuard },
];
