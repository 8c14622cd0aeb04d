import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type AuthDb, createAuthDb } from '@cloudillo/db-auth';
import { authProviders, HealthController } from '@cloudillo/http';
import { ActionTokenVerifier } from '@cloudillo/action-tokens';
import { ContractClient } from '@cloudillo/contracts';
import { MessagingModule } from '@cloudillo/messaging';
import { peerClientProvider } from '@cloudillo/peer-client';
import { RateLimiter } from '@cloudillo/rate-limit';
import { Redis } from 'ioredis';

import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { type AuthConfig } from './config';
import { CredentialsHandler } from './credentials/credentials.handler';
import { CredentialsRepository } from './credentials/credentials.repository';
import { CredentialsService } from './credentials/credentials.service';
import { PasswordHasher } from './credentials/password-hasher';
import { TenantPurgeHandler } from './credentials/tenant-purge.handler';
import { authReadiness } from './health/readiness';
import { LinksService } from './mail/links.service';
import { LogMailer, type Mailer, MAILER, SmtpMailer } from './mail/mailer';
import { WelcomeHandler } from './mail/welcome.handler';
import { KeysHandler } from './keys/keys.handler';
import { SigningKeys } from './keys/signing-keys';
import { SigningKeysRepository } from './keys/signing-keys.repository';
import { TokenIssuer } from './keys/token-issuer';
import { AuthController } from './login/auth.controller';
import { LoginService } from './login/login.service';
import { RefreshService } from './login/refresh.service';
import { ProxyExchangeService } from './proxy/proxy-exchange.service';
import { ProxyTokenHandler } from './proxy/proxy-token.handler';
import { ProxyTokenService } from './proxy/proxy-token.service';
import { RefsController } from './refs/refs.controller';
import { RefsHandler } from './refs/refs.handler';
import { RefsRepository } from './refs/refs.repository';
import { RefsService } from './refs/refs.service';
import { ViaTokensService } from './links/via-tokens.service';
import { SessionsHandler } from './sessions/sessions.handler';
import { SessionsRepository } from './sessions/sessions.repository';
import { SessionsService } from './sessions/sessions.service';
import { TenantProfiles } from './tenants/tenant-profiles';
import { QrLoginController } from './qr-login/qr-login.controller';
import { QrLoginService } from './qr-login/qr-login.service';
import { ChallengeStore } from './webauthn/challenge-store';
import { PasskeysRepository } from './webauthn/passkeys.repository';
import { WebAuthnController } from './webauthn/webauthn.controller';
import { WebAuthnService } from './webauthn/webauthn.service';
import { AUTH_CONFIG, AUTH_DB, AUTH_REDIS, CLOCK, type Clock } from './tokens';

export interface AuthDeps {
  clock?: Clock;
}

class MailerLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MAILER) private readonly mailer: Mailer) {}
  onApplicationShutdown(): void {
    this.mailer.close();
  }
}

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(AUTH_REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

class DbLifecycle implements OnApplicationShutdown {
  constructor(@Inject(AUTH_DB) private readonly db: AuthDb) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.$disconnect();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AuthConfig, deps: AuthDeps = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [MessagingModule.forRoot({ natsUrl: config.natsUrl, name: 'access-token' })],
      controllers: [
        ApiKeysController,
        WebAuthnController,
        QrLoginController,
        AuthController,
        HealthController,
        KeysHandler,
        SessionsHandler,
        CredentialsHandler,
        TenantPurgeHandler,
        RefsController,
        RefsHandler,
        WelcomeHandler,
        ProxyTokenHandler,
      ],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: CLOCK, useValue: deps.clock ?? (() => new Date()) },
        {
          provide: AUTH_DB,
          useFactory: () =>
            createAuthDb({ databaseUrl: config.databaseUrl, schema: config.dbSchema }),
        },
        DbLifecycle,
        { provide: AUTH_REDIS, useFactory: () => new Redis(config.redisUrl) },
        RedisLifecycle,
        {
          provide: RateLimiter,
          inject: [AUTH_REDIS],
          useFactory: (redis: Redis) =>
            new RateLimiter(redis, { keyPrefix: config.loginPenalty.keyPrefix }),
        },
        authReadiness,
        ...authProviders({ tenantHeaderSecret: config.tenantHeaderSecret }),
        SigningKeysRepository,
        SigningKeys,
        TokenIssuer,
        SessionsRepository,
        SessionsService,
        PasswordHasher,
        CredentialsRepository,
        CredentialsService,
        TenantProfiles,
        LoginService,
        RefreshService,
        RefsRepository,
        RefsService,
        ViaTokensService,
        {
          provide: MAILER,
          useFactory: (): Mailer =>
            config.mail.smtpUrl
              ? new SmtpMailer(config.mail.smtpUrl, config.mail.from)
              : new LogMailer(),
        },
        MailerLifecycle,
        LinksService,
        ApiKeysRepository,
        ApiKeysService,
        {
          provide: ActionTokenVerifier,
          inject: [ContractClient],
          useFactory: (rpc: ContractClient) => new ActionTokenVerifier(rpc),
        },
        peerClientProvider(config),
        ProxyExchangeService,
        ChallengeStore,
        PasskeysRepository,
        WebAuthnService,
        QrLoginService,
        ProxyTokenService,
      ],
    };
  }
}
