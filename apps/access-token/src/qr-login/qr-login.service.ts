import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable } from '@nestjs/common';
import { constantTimeEqual, randomToken, secretDigest } from '@cloudillo/crypto';
import { AppError, ForbiddenError, NotFoundError } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';
import { type Redis } from 'ioredis';

import { type LoginResult, LoginService } from '../login/login.service';
import { AUTH_REDIS } from '../tokens';

/** QR login sessions live 5 minutes (protocol §9); a status poll waits at most this long. */
const SESSION_TTL_SECONDS = 300;
const LONG_POLL_MS = 15_000;
const POLL_STEP_MS = 200;

type QrStatus = 'pending' | 'approved' | 'denied' | 'expired';

interface QrSession {
  /** The tenant's id_tag. */
  tenant: string;
  secretHash: string;
  status: Exclude<QrStatus, 'expired'>;
  userAgent?: string;
  ipAddress?: string;
  login?: LoginResult;
}

/**
 * Log in on a new device by scanning a QR code with a device already logged in (protocol §9):
 * the new device starts a session and polls it with its secret; the owner's device sees where the
 * request comes from and approves or denies. Sessions are in Redis, so any replica answers.
 */
@Injectable()
export class QrLoginService {
  constructor(
    @Inject(AUTH_REDIS) private readonly redis: Redis,
    private readonly login: LoginService,
  ) {}

  async init(
    tenant: TenantContext,
    client: { userAgent?: string; ipAddress?: string },
  ): Promise<{ sessionId: string; secret: string }> {
    const sessionId = randomToken(16);
    const secret = randomToken(24);
    const session: QrSession = {
      tenant: tenant.idTag,
      secretHash: secretDigest(secret),
      status: 'pending',
      ...client,
    };
    await this.redis.set(this.key(sessionId), JSON.stringify(session), 'EX', SESSION_TTL_SECONDS);
    return { sessionId, secret };
  }

  /** The new device's long poll: answers as soon as the owner decides, or `pending` after 15 s. */
  async status(
    tenant: TenantContext,
    sessionId: string,
    secret: string,
    waitMs = LONG_POLL_MS,
  ): Promise<{ status: QrStatus; login?: LoginResult }> {
    const deadline = Date.now() + Math.min(waitMs, LONG_POLL_MS);
    for (;;) {
      const session = await this.read(sessionId);
      if (!session || session.tenant !== tenant.idTag) return { status: 'expired' };
      if (!constantTimeEqual(secretDigest(secret), session.secretHash))
        throw new ForbiddenError('wrong QR secret');
      if (session.status === 'approved' && session.login) {
        await this.redis.del(this.key(sessionId)); // the login is handed out once
        return { status: 'approved', login: session.login };
      }
      if (session.status === 'denied') return { status: 'denied' };
      if (Date.now() >= deadline) return { status: 'pending' };
      await sleep(POLL_STEP_MS);
    }
  }

  async details(
    tenant: TenantContext,
    sessionId: string,
  ): Promise<{ userAgent?: string; ipAddress?: string }> {
    const session = await this.pending(tenant, sessionId);
    return {
      ...(session.userAgent ? { userAgent: session.userAgent } : {}),
      ...(session.ipAddress ? { ipAddress: session.ipAddress } : {}),
    };
  }

  async respond(
    tenant: TenantContext,
    sessionId: string,
    approve: boolean,
  ): Promise<{ status: string }> {
    const session = await this.pending(tenant, sessionId);
    const next: QrSession = approve
      ? { ...session, status: 'approved', login: await this.login.sessionFor(tenant) }
      : { ...session, status: 'denied' };
    await this.redis.set(this.key(sessionId), JSON.stringify(next), 'KEEPTTL');
    return { status: next.status };
  }

  private async pending(tenant: TenantContext, sessionId: string): Promise<QrSession> {
    const session = await this.read(sessionId);
    if (!session || session.tenant !== tenant.idTag) throw new NotFoundError('no such QR login');
    if (session.status !== 'pending')
      throw new AppError('E-CORE-CONFLICT', `this QR login was already ${session.status}`);
    return session;
  }

  private async read(sessionId: string): Promise<QrSession | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(sessionId)) return undefined;
    const raw = await this.redis.get(this.key(sessionId));
    return raw === null ? undefined : (JSON.parse(raw) as QrSession);
  }

  private key(sessionId: string): string {
    return `cloudillo:qr-login:${sessionId}`;
  }
}
