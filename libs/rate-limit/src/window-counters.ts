import { type Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** One fixed window's counter: its key, and how long a window lasts. */
export interface WindowCounter {
  key: string;
  points: number;
  seconds: number;
}

/** A counter after counting: its total in the current window, and the ms until that ends. */
export interface Counted {
  count: number;
  msLeft: number;
}

const COMMAND = 'cloudilloCountWindows';

/**
 * Adds ARGV[1] to every counter in KEYS; a counter that has no expiry yet (just created) gets
 * its window's length (ARGV[1 + i], ms). Returns each counter's total and ms left, in order.
 * The counters are rate-limiter-flexible's (an integer with an expiry), so limiters of either
 * kind count together.
 */
const COUNT_WINDOWS = `
local points = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCRBY', key, points)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    ttl = tonumber(ARGV[i + 1])
    redis.call('PEXPIRE', key, ttl)
  end
  out[2 * i - 1] = count
  out[2 * i] = ttl
end
return out
`;

type CountWindows = (numKeys: number, ...keysThenArgs: (string | number)[]) => Promise<number[]>;

/**
 * Counts requests in several fixed windows at once: one Redis script call for all of them. A
 * request counts in four windows, and rate-limiter-flexible's one call per window was four
 * socket writes — at the gateway, as much CPU as answering a replayed delivery
 * (`npm run bench -- rate-limit`). When Redis fails, counters in this process's memory stand in.
 */
export class WindowCounters {
  private readonly countWindows: CountWindows;
  private readonly inMemory = new Map<string, RateLimiterMemory>();

  constructor(redis: Redis) {
    redis.defineCommand(COMMAND, { lua: COUNT_WINDOWS });
    const command = (redis as unknown as Record<string, CountWindows>)[COMMAND] as CountWindows;
    this.countWindows = command.bind(redis);
  }

  async add(counters: readonly WindowCounter[], points: number): Promise<Counted[]> {
    let answer: number[];
    try {
      answer = await this.countWindows(
        counters.length,
        ...counters.map((c) => c.key),
        points,
        ...counters.map((c) => c.seconds * 1000),
      );
    } catch {
      return Promise.all(counters.map((c) => this.addInMemory(c, points)));
    }
    return counters.map((_, i) => ({
      count: Number(answer[2 * i]),
      msLeft: Number(answer[2 * i + 1]),
    }));
  }

  /** The stand-in: a replica's own counts, with the same windows. */
  private async addInMemory(counter: WindowCounter, points: number): Promise<Counted> {
    const name = `${counter.points}/${counter.seconds}`;
    let limiter = this.inMemory.get(name);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points: counter.points, duration: counter.seconds });
      this.inMemory.set(name, limiter);
    }
    let result: RateLimiterRes;
    try {
      result = await limiter.consume(counter.key, points);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      result = refused;
    }
    return { count: result.consumedPoints, msLeft: result.msBeforeNext };
  }
}
