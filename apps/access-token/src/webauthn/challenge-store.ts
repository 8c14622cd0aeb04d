import { Inject, Injectable } from '@nestjs/common';
import { randomToken } from '@cloudillo/crypto';
import { type Redis } from 'ioredis';

import { AUTH_REDIS } from '../tokens';

/** WebAuthn ceremonies must finish within this (the reference's challenge JWTs live 120 s). */
const CHALLENGE_TTL_SECONDS = 120;

/**
 * One-time ceremony state in Redis, shared by replicas: a ceremony may start on one and finish on
 * another, and a state is taken exactly once (GETDEL), so a challenge cannot be replayed.
 */
@Injectable()
export class ChallengeStore {
  constructor(@Inject(AUTH_REDIS) private readonly redis: Redis) {}

  async put<T>(kind: string, state: T): Promise<string> {
    const token = randomToken(24);
    await this.redis.set(this.key(kind, token), JSON.stringify(state), 'EX', CHALLENGE_TTL_SECONDS);
    return token;
  }

  async take<T>(kind: string, token: string): Promise<T | undefined> {
    if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return undefined;
    const raw = await this.redis.getdel(this.key(kind, token));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  private key(kind: string, token: string): string {
    return `cloudillo:webauthn:${kind}:${token}`;
  }
}
