/**
 * Which paths a scoped token may reach (protocol §4.2). Scopes fail closed: a scope this table does
 * not know reaches nothing, and a scoped token never reaches a path outside its scope's list.
 * The resource itself (which file) is the route's to check; this only gates the path.
 */
const FILE_SCOPE = /^file:([^:]+):([RCW])$/;

/** A file scope (`file:{id}:{R|C|W}`, protocol §4.2) taken apart; undefined for any other. */
export function parseFileScope(
  scope: string | undefined,
): { fileId: string; level: 'R' | 'C' | 'W' } | undefined {
  const match = FILE_SCOPE.exec(scope ?? '');
  return match ? { fileId: match[1] as string, level: match[2] as 'R' | 'C' | 'W' } : undefined;
}
const PIM_SCOPE = /^(carddav|caldav):(read|write)(,(carddav|caldav):(read|write))*$/;

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function fileScopePath(path: string): boolean {
  return (
    under(path, '/api/files') ||
    path === '/api/search' ||
    under(path, '/ws/crdt') ||
    under(path, '/ws/rtdb') ||
    path === '/api/auth/access-token'
  );
}

function apkgPath(method: string, path: string): boolean {
  return (
    under(path, '/api/files/apkg') ||
    (method === 'POST' && path === '/api/actions') ||
    under(path, '/api/apps')
  );
}

function pimPath(path: string): boolean {
  return (
    under(path, '/api/address-books') ||
    under(path, '/api/contacts') ||
    under(path, '/api/calendars') ||
    under(path, '/dav')
  );
}

/** True when a token carrying `scope` may call `method path` (path without the query string). */
export function scopeAllowsPath(scope: string, method: string, path: string): boolean {
  if (FILE_SCOPE.test(scope)) return fileScopePath(path);
  if (scope === 'apkg:publish') return apkgPath(method.toUpperCase(), path);
  if (PIM_SCOPE.test(scope)) return pimPath(path);
  return false;
}
