/** One limit: `points` requests per `seconds`. */
export interface Window {
  points: number;
  seconds: number;
}

/** A bucket of the reference's table (protocol §9): a short window (rate, burst) and an hourly one. */
export interface BucketLimits {
  short: Window;
  hourly: Window;
  /**
   * Counted per receiving tenant: a peer federating with many tenants of one deployment gets each
   * tenant's allowance, as it would from their own nodes, under an address-wide ceiling.
   */
  perReceiver?: boolean;
}

/**
 * The reference's buckets, `req/s / burst` and `req/h / burst` (protocol §9), as fixed windows:
 * the burst is allowed per `burst / rate` seconds (2 s for every bucket), and the hourly rate
 * per hour.
 */
export const BUCKETS = {
  auth: { short: { points: 10, seconds: 2 }, hourly: { points: 60, seconds: 3600 } },
  federation: {
    short: { points: 200, seconds: 2 },
    hourly: { points: 1000, seconds: 3600 },
    perReceiver: true,
  },
  general: { short: { points: 500, seconds: 2 }, hourly: { points: 5000, seconds: 3600 } },
  search: { short: { points: 60, seconds: 2 }, hourly: { points: 600, seconds: 3600 } },
  websocket: { short: { points: 200, seconds: 2 }, hourly: { points: 1000, seconds: 3600 } },
  dav: { short: { points: 60, seconds: 2 }, hourly: { points: 2000, seconds: 3600 } },
} as const satisfies Record<string, BucketLimits>;

export type BucketName = keyof typeof BUCKETS;

/** Paths where guessing is the threat: logins, password resets, registration. */
const AUTH_PATHS = new Set([
  '/api/auth/login',
  '/api/auth/login-init',
  '/api/auth/set-password',
  '/api/auth/forgot-password',
  '/api/auth/wa/login',
  '/api/auth/wa/login/challenge',
  '/api/auth/qr-login/init',
  '/api/profiles/register',
  '/api/profiles/verify',
  '/api/idp/activate',
]);

/** Which bucket a request counts against (path without the query string). */
export function bucketFor(path: string): BucketName {
  if (AUTH_PATHS.has(path)) return 'auth';
  if (
    path === '/api/auth/access-token' ||
    path === '/api/inbox' ||
    path.startsWith('/api/inbox/')
  ) {
    return 'federation';
  }
  if (path === '/api/search') return 'search';
  if (path.startsWith('/ws/')) return 'websocket';
  if (path === '/dav' || path.startsWith('/dav/')) return 'dav';
  return 'general';
}
