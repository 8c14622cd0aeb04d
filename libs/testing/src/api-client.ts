import { httpRequest, type HttpResult } from './http-client';

export interface ApiCallOptions {
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Calls a service's API as `cl-o.<host>`, the way clients and peers do. */
export type ApiCall = (
  host: string,
  method: string,
  path: string,
  options?: ApiCallOptions,
) => Promise<HttpResult>;

export function apiClient(port: number | (() => number)): ApiCall {
  return (host, method, path, options = {}) =>
    httpRequest({
      port: typeof port === 'number' ? port : port(),
      method,
      path,
      headers: {
        Host: `cl-o.${host}`,
        ...options.headers,
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
}

/** The `data` of an API envelope. */
export function dataOf<T>(res: HttpResult): T {
  return (res.json as { data: T }).data;
}

/** The `E-*` code of an API error body. */
export function errorCodeOf(res: HttpResult): string | undefined {
  return (res.json as { error?: { code?: string } } | undefined)?.error?.code;
}

/** Logs `idTag` in with its password at the access-token service; the access token. */
export async function loginAs(call: ApiCall, idTag: string, password: string): Promise<string> {
  const res = await call(idTag, 'POST', '/api/auth/login', { body: { idTag, password } });
  if (res.status !== 200) throw new Error(`login of ${idTag} failed: ${res.status} ${res.text}`);
  return dataOf<{ token: string }>(res).token;
}
