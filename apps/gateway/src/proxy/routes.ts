/** The services behind the gateway; each owns the routes listed for it. */
export const SERVICES = [
  'identity',
  'access-token',
  'action-federation',
  'blob',
  'collaboration',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Which body limit applies: JSON APIs, inbox tokens (16 MiB), or streamed uploads (owner enforces). */
export type BodyClass = 'json' | 'inbox' | 'stream';

export interface Route {
  prefix: string;
  service: ServiceName;
  body: BodyClass;
  /**
   * The service may mark answers replayable (`libs/http/src/replays.ts`): the gateway reads small
   * POST bodies whole here, and looks GETs up, to answer repeats itself.
   */
  replays?: true;
}

/** Path-prefix routing to the owning service (architecture.md); the longest prefix wins. */
export const ROUTES: readonly Route[] = [
  // GET /api/me: every peer asks it to verify the tenant's tokens; identity marks it replayable.
  { prefix: '/api/me', service: 'identity', body: 'json', replays: true },
  // Picture bytes go to the blob service, which stores them and tells identity the file id.
  { prefix: '/api/me/image', service: 'blob', body: 'stream' },
  { prefix: '/api/me/cover', service: 'blob', body: 'stream' },
  { prefix: '/api/profiles', service: 'identity', body: 'json' },
  { prefix: '/api/idp', service: 'identity', body: 'json' },
  { prefix: '/api/admin/tenants', service: 'identity', body: 'json' },
  { prefix: '/api/admin/profiles', service: 'identity', body: 'json' },
  { prefix: '/api/admin/deliveries', service: 'action-federation', body: 'json' },
  { prefix: '/api/settings', service: 'identity', body: 'json' },
  { prefix: '/.well-known/cloudillo', service: 'identity', body: 'json' },
  { prefix: '/api/auth', service: 'access-token', body: 'json' },
  { prefix: '/api/refs', service: 'access-token', body: 'json' },
  { prefix: '/api/actions', service: 'action-federation', body: 'json' },
  { prefix: '/api/inbox', service: 'action-federation', body: 'inbox', replays: true },
  { prefix: '/api/outbox', service: 'action-federation', body: 'json' },
  { prefix: '/api/collab', service: 'collaboration', body: 'json' },
  { prefix: '/api/files', service: 'blob', body: 'stream' },
  { prefix: '/api/shares', service: 'blob', body: 'json' },
  { prefix: '/api/tags', service: 'blob', body: 'json' },
  { prefix: '/api/trash', service: 'blob', body: 'json' },
  { prefix: '/ws/bus', service: 'collaboration', body: 'json' },
  { prefix: '/ws/crdt', service: 'collaboration', body: 'json' },
  { prefix: '/ws/hocuspocus', service: 'collaboration', body: 'json' },
  { prefix: '/ws/rtdb', service: 'collaboration', body: 'json' },
];

const BY_LENGTH = [...ROUTES].sort((a, b) => b.prefix.length - a.prefix.length);

/** The route owning `path` (query string excluded), or undefined. */
export function findRoute(path: string): Route | undefined {
  return BY_LENGTH.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
}

/** Dot segments (plain or percent-encoded) could make one service's prefix reach another's route. */
export function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => {
    const decoded = segment.replace(/%2e/gi, '.');
    return decoded === '.' || decoded === '..';
  });
}
