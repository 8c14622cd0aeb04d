import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

import { type PeerDirectory } from '@cloudillo/protocol';
import { type z } from 'zod';

import { isPublicUnicast } from './address-policy';
import { PeerError } from './peer-error';
import { type HostResolver, type ResolvedAddress, systemResolver } from './resolver';

export interface PeerClientOptions {
  directory: PeerDirectory;
  resolver?: HostResolver;
  /** Deadline of a whole fetch, redirects included (the reference uses 10 s). */
  timeoutMs?: number;
  /** Largest response body read; more is refused, not truncated. */
  maxBytes?: number;
  maxRedirects?: number;
}

/**
 * Server-to-server HTTP to peers (`https://cl-o.<id_tag>`), guarded against SSRF: only https, only
 * public unicast addresses — checked on the resolved address that is then dialled (no DNS
 * rebinding), and again on every redirect — with a deadline and a size cap. Peer-map entries
 * (FEDERATION_PEER_MAP, for local multi-node runs) are the operator's word and skip the guard,
 * but a redirect away from them does not.
 */
export class PeerClient {
  private readonly resolver: HostResolver;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxRedirects: number;

  constructor(private readonly options: PeerClientOptions) {
    this.resolver = options.resolver ?? systemResolver;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
    this.maxRedirects = options.maxRedirects ?? 3;
  }

  /** GETs `path` (e.g. `/api/me`) from a peer and parses the JSON body with `schema`. */
  getJson<S extends z.ZodType>(
    idTag: string,
    path: string,
    schema: S,
    options: { bearer?: string } = {},
  ): Promise<z.output<S>> {
    return this.send(idTag, path, schema, undefined, options.bearer);
  }

  /**
   * GETs `path` from a peer as a stream of bytes (a file variant), for the caller to read with its
   * own limits. Redirects are refused: bytes come from the peer itself.
   */
  async getStream(
    idTag: string,
    path: string,
    options: { bearer?: string } = {},
  ): Promise<IncomingMessage> {
    const base = this.options.directory.baseUrl(idTag);
    if (!base) throw new PeerError('invalid-peer', `${idTag} is not a valid id_tag`);
    const url = new URL(`${base}${path}`);
    const trusted = this.options.directory.isMapped(idTag) && url.origin === new URL(base).origin;
    const host = this.options.directory.apiHost(idTag);
    const response = await this.fetchOnce(
      url,
      trusted,
      AbortSignal.timeout(this.timeoutMs),
      trusted ? host : undefined,
      { ...(options.bearer ? { bearer: options.bearer } : {}), stream: true },
    );
    if (response.stream === undefined)
      throw new PeerError('redirects', `${idTag} redirected a file read`);
    return response.stream;
  }

  /**
   * POSTs a JSON body to a peer (e.g. a token to `/api/inbox`) and parses the reply with `schema`.
   * Redirects are not followed: a body is never re-sent to a place the peer names.
   */
  postJson<S extends z.ZodType>(
    idTag: string,
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    return this.send(idTag, path, schema, Buffer.from(JSON.stringify(body)));
  }

  private async send<S extends z.ZodType>(
    idTag: string,
    path: string,
    schema: S,
    body?: Buffer,
    bearer?: string,
  ): Promise<z.output<S>> {
    const base = this.options.directory.baseUrl(idTag);
    if (!base) throw new PeerError('invalid-peer', `${idTag} is not a valid id_tag`);
    const trustedOrigin = this.options.directory.isMapped(idTag) ? new URL(base).origin : undefined;
    // A mapped peer is reached at a bare address, but still answers as `cl-o.<id_tag>`.
    const host = this.options.directory.apiHost(idTag);
    const signal = AbortSignal.timeout(this.timeoutMs);
    let url = new URL(`${base}${path}`);
    for (let hop = 0; ; hop++) {
      const trusted = url.origin === trustedOrigin;
      // A credential goes to the peer itself only, never along a redirect.
      const response = await this.fetchOnce(url, trusted, signal, trusted ? host : undefined, {
        ...(body ? { body } : {}),
        ...(bearer && hop === 0 ? { bearer } : {}),
      });
      if (response.redirect === undefined)
        return this.parse(response.body ?? Buffer.alloc(0), schema, idTag);
      if (body) throw new PeerError('redirects', `${idTag} redirected a POST`);
      if (hop >= this.maxRedirects)
        throw new PeerError('redirects', `too many redirects from ${idTag}`);
      url = response.redirect;
    }
  }

  private parse<S extends z.ZodType>(body: Buffer, schema: S, idTag: string): z.output<S> {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new PeerError('parse', `${idTag} answered something that is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new PeerError('shape', `${idTag} answered an unexpected shape`);
    return parsed.data;
  }

  /** Resolves and checks the address to dial; undefined means "let the OS resolve" (trusted). */
  private async pinAddress(url: URL, trusted: boolean): Promise<ResolvedAddress | undefined> {
    if (trusted) return undefined;
    if (url.protocol !== 'https:')
      throw new PeerError('blocked', `refusing ${url.protocol} to ${url.host}`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: ResolvedAddress[];
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await this.resolver.resolve(host);
      } catch (error) {
        throw new PeerError('network', `cannot resolve ${host}: ${(error as Error).message}`);
      }
    }
    const [first] = addresses;
    if (!first || !addresses.every((a) => isPublicUnicast(a.address))) {
      throw new PeerError('blocked', `${host} does not resolve to public addresses only`);
    }
    return first;
  }

  private async fetchOnce(
    url: URL,
    trusted: boolean,
    signal: AbortSignal,
    hostHeader: string | undefined,
    { body, bearer, stream }: { body?: Buffer; bearer?: string; stream?: boolean },
  ): Promise<
    | { body: Buffer; redirect?: undefined; stream?: undefined }
    | { body?: undefined; redirect: URL; stream?: undefined }
    | { body?: undefined; redirect?: undefined; stream: IncomingMessage }
  > {
    const pinned = await this.pinAddress(url, trusted);
    const lookup: LookupFunction | undefined = pinned
      ? (_host, options, callback) => {
          if ((options as { all?: boolean }).all) {
            (callback as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
          } else {
            callback(null, pinned.address, pinned.family);
          }
        }
      : undefined;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: body ? 'POST' : 'GET',
        headers: {
          accept: 'application/json',
          ...(hostHeader ? { host: hostHeader } : {}),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body
            ? { 'content-type': 'application/json', 'content-length': String(body.length) }
            : {}),
        },
        signal,
        ...(lookup ? { lookup } : {}),
      });
      req.on('error', (error) => {
        if (error instanceof PeerError) reject(error);
        else if (signal.aborted)
          reject(new PeerError('timeout', `${url.host} did not answer in time`));
        else reject(new PeerError('network', `${url.host}: ${error.message}`));
      });
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          resolve({ redirect: new URL(res.headers.location, url) });
          return;
        }
        if (status < 200 || status >= 300) {
          // The peer's reason (a small JSON error body), for callers that act on it (428).
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= ERROR_BODY_BYTES) chunks.push(chunk);
          });
          res.on('end', () =>
            reject(
              new PeerError(
                'status',
                `${url.host} answered ${status}`,
                status,
                jsonOrUndefined(chunks),
              ),
            ),
          );
          res.on('error', () =>
            reject(new PeerError('status', `${url.host} answered ${status}`, status)),
          );
          return;
        }
        if (stream) {
          resolve({ stream: res });
          return;
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > this.maxBytes) {
          req.destroy(new PeerError('too-large', `${url.host} announced ${declared} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes)
            req.destroy(
              new PeerError('too-large', `${url.host} sent more than ${this.maxBytes} bytes`),
            );
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ body: Buffer.concat(chunks) }));
        res.on('error', () => undefined);
      });
      req.end(body);
    });
  }
}

const ERROR_BODY_BYTES = 4096;

function jsonOrUndefined(chunks: Buffer[]): unknown {
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
