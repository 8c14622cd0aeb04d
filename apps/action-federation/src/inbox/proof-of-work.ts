import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@cloudillo/protocol';
import { addressKeys } from '@cloudillo/rate-limit';
import { type Redis } from 'ioredis';

import { type FederationConfig } from '../config';
import { CLOCK, type Clock, FED_CONFIG, FED_REDIS } from '../tokens';

/** The counter caps at 10 (ten trailing `A`s: about 2^60 tries, more than anyone spends). */
const CAP = 10;
const DECAY_MS = 3_600_000;

// The counter decays by one per hour since its last change; read and bump are one step in Redis.
const READ = `
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or ARGV[1])
local decayed = math.max(0, v - math.floor((tonumber(ARGV[1]) - t) / tonumber(ARGV[2])))
if ARGV[3] == '1' then
  decayed = math.min(tonumber(ARGV[4]), decayed + 1)
  redis.call('HSET', KEYS[1], 'v', decayed, 't', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * tonumber(ARGV[4]))
end
return decayed`;

/**
 * Proof of work for connection requests (protocol §2.8): counters per sending address and per
 * network, bumped by bad signatures and duplicate pending requests, decaying by one per hour.
 * A CONN token must end with as many `A` characters as the higher counter; otherwise 428.
 */
@Injectable()
export class ProofOfWork {
  constructor(
    @Inject(FED_REDIS) private readonly redis: Redis,
    @Inject(FED_CONFIG) private readonly config: FederationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private keys(address: string): string[] {
    const keys = addressKeys(address);
    if (!keys) return [];
    const prefix = `${this.config.queuePrefix}:pow`;
    return [`${prefix}:${keys.host}`, `${prefix}:${keys.network}`];
  }

  private async run(address: string, bump: boolean): Promise<number> {
    let required = 0;
    for (const key of this.keys(address)) {
      const value = await this.redis.eval(
        READ,
        1,
        key,
        this.clock().getTime(),
        DECAY_MS,
        bump ? '1' : '0',
        CAP,
      );
      required = Math.max(required, Number(value));
    }
    return required;
  }

  /** Throws 428 when a CONN token from `address` lacks the work its counters ask for. */
  async check(address: string, token: string): Promise<void> {
    const required = await this.run(address, false);
    if (required > 0 && !token.endsWith('A'.repeat(required))) {
      throw new AppError(
        'E-POW-REQUIRED',
        `proof of work required: the token must end with ${required} "A"`,
        {
          details: { required },
        },
      );
    }
  }

  /** A bad signature or a duplicate pending request from `address`. */
  async bump(address: string): Promise<void> {
    await this.run(address, true);
  }
}
