import { Agent, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { type Duplex, type Readable } from 'node:stream';

import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import {
  type ErrorCode,
  ERROR_STATUS,
  idTagFromApiHost,
  isAppError,
  isValidRequestId,
} from '@cloudillo/protocol';
import {
  bucketFor,
  CLIENT_ADDRESS_HEADER,
  clientAddress,
  type RateLimiter,
} from '@cloudillo/rate-limit';
import { declaredTooLarge } from '@cloudillo/http';
import {
  admitTenant,
  signTenantHeader,
  TENANT_HEADER,
  type TenantContext,
  type TenantResolver,
} from '@cloudillo/tenancy';
import httpProxy from 'http-proxy';

import { type GatewayConfig } from '../config';
import { BodyLimiter } from './body-limit';
import { refuseUpgrade, sendError, sendReplay } from './edge-responses';
import { REPLAY_BODY_LIMIT, ReplayCache } from './replay-cache';
import { findRoute, hasDotSegment, type Route } from './routes';
import { classifyUpstreamError, UpstreamForwarder } from './upstream-forwarder';

const NO_BODY = Buffer.alloc(0);

/** Paths the gateway answers itself, for any Host (probes do not know tenant names). */
const OWN_PATHS = new Set(['/health', '/ready']);
const APP_DOMAIN_PREFIX = '/.well-known/cloudillo';

/**
 * A (small) request body as one buffer. Not `node:stream/consumers`: it goes through a Blob, and
 * cost the gateway as much CPU as answering a replay did.
 */
function readWhole(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

function pathOf(req: IncomingMessage): string {
  const [path = '/'] = (req.url ?? '/').split('?');
  return path;
}

class EdgeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Where a request goes: its route, and the tenant the Host names (none on an app domain). */
interface Destination {
  route: Route;
  tenant?: TenantContext;
}

class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('rate limited');
  }
}

/**
 * The public edge: validates Host and path, resolves the tenant, enforces body limits and proxies
 * to the owning service. Every refusal is an API error body, never a 5xx for bad input.
 */
export class GatewayEdge implements BeforeApplicationShutdown {
  private readonly logger = new Logger('gateway');
  private readonly forwarder: UpstreamForwarder;
  /** Answers services marked replayable; undefined when turned off. */
  private readonly replays: ReplayCache | undefined;
  // WebSocket upgrades only: HTTP requests go through the forwarder.
  private readonly wsAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly wsProxy = httpProxy.createProxyServer({
    xfwd: true,
    ws: true,
    agent: this.wsAgent,
  });

  constructor(
    private readonly config: GatewayConfig,
    private readonly tenants: TenantResolver,
    /** Per-IP limits (protocol §9); undefined turns them off. */
    private readonly limiter?: RateLimiter,
  ) {
    this.forwarder = new UpstreamForwarder(config.proxyTimeoutMs);
    this.replays = config.replayEntries > 0 ? new ReplayCache(config.replayEntries) : undefined;
    this.wsProxy.on('error', (error, req, socket) => this.onUpgradeError(error, req, socket));
  }

  /**
   * Takes every request but the gateway's own paths (`/health`, `/ready`), which it leaves to
   * Nest (false).
   */
  readonly take = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = pathOf(req);
    if (OWN_PATHS.has(path)) return false;
    const reqId = this.adoptRequestId(req);
    // The Host's tenant (none on an app domain), parsed once for the limits and the route.
    const idTag = idTagFromApiHost(req.headers.host ?? '')?.ascii;
    this.countRequest(req, path, idTag)
      .then(() => this.resolveRoute(req, path, idTag))
      .then((destination) => this.forward(req, res, destination, reqId))
      .catch((error: unknown) => this.fail(res, error, reqId));
    return true;
  };

  /** WebSocket upgrades get the same Host and route checks, without bodies. */
  readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = pathOf(req);
    this.adoptRequestId(req);
    // The Host's tenant (none on an app domain), parsed once for the limits and the route.
    const idTag = idTagFromApiHost(req.headers.host ?? '')?.ascii;
    this.countRequest(req, path, idTag)
      .then(() => this.resolveRoute(req, path, idTag))
      .then(({ route, tenant }) => {
        const target = this.config.upstreams[route.service];
        if (!target || !path.startsWith('/ws/'))
          throw new EdgeError('E-CORE-NOTFOUND', 'not found');
        this.stripForwarded(req);
        if (tenant) this.signTenant(req, tenant);
        this.wsProxy.ws(req, socket, head, { target, proxyTimeout: this.config.proxyTimeoutMs });
      })
      .catch((error: unknown) => {
        if (error instanceof RateLimited) {
          refuseUpgrade(socket, 429, 'Too Many Requests');
          return;
        }
        const status = error instanceof EdgeError ? ERROR_STATUS[error.code] : 503;
        refuseUpgrade(socket, status, STATUS_CODES[status] ?? 'Error');
      });
  };

  /** Drops the answers kept for a tenant that changed (its profile, keys or status). */
  forgetAnswersOf(tnId: number): void {
    this.replays?.forget(tnId);
  }

  /**
   * Runs before the HTTP server closes: upstream keep-alive sockets would otherwise hold the
   * services' own shutdown for seconds.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.wsProxy.close();
    this.wsAgent.destroy();
    await this.forwarder.close();
  }

  /** Counts the request against its bucket for the client's address and network. */
  private async countRequest(
    req: IncomingMessage,
    path: string,
    receiver: string | undefined,
  ): Promise<void> {
    // Services learn the client from this header only: whatever a client sent is replaced.
    const address = clientAddress(req, this.config.trustProxy);
    req.headers[CLIENT_ADDRESS_HEADER] = address;
    if (!this.limiter) return;
    // The Host's tenant, not yet looked up: per-receiver buckets keep tenants' allowances apart.
    const decision = await this.limiter.consume(bucketFor(path), address, 1, receiver);
    if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds);
  }

  private adoptRequestId(req: IncomingMessage): string | undefined {
    const value = req.headers['x-request-id'];
    if (isValidRequestId(value)) return value;
    delete req.headers['x-request-id'];
    return undefined;
  }

  /**
   * Suspended or purging tenants are answered as every service answers them (`admitTenant`):
   * nothing of a suspended tenant is served, and peers' deliveries are told to come back later.
   */
  private admit(tenant: TenantContext): void {
    try {
      admitTenant(tenant);
    } catch (error) {
      if (isAppError(error)) throw new EdgeError(error.code, error.message);
      throw error;
    }
  }

  /** Hands the resolved tenant to the service, signed, so that it need not resolve it again. */
  private signTenant(req: IncomingMessage, tenant: TenantContext): void {
    const secret = this.config.tenantHeaderSecret;
    if (secret === undefined) return;
    req.headers[TENANT_HEADER] = signTenantHeader(tenant, secret, Math.floor(Date.now() / 1000));
  }

  private async resolveRoute(
    req: IncomingMessage,
    path: string,
    idTag: string | undefined,
  ): Promise<Destination> {
    if (hasDotSegment(path))
      throw new EdgeError('E-VAL-INVALID', 'dot segments are not allowed in paths');
    const route = findRoute(path);
    // Only the gateway says which tenant a request is for (see `@cloudillo/tenancy`).
    delete req.headers[TENANT_HEADER];
    if (idTag !== undefined) {
      const tenant = await this.tenants.lookup(idTag);
      if (!tenant) throw new EdgeError('E-CORE-NOTFOUND', 'unknown tenant');
      this.admit(tenant);
      if (!route || route.prefix === APP_DOMAIN_PREFIX)
        throw new EdgeError('E-CORE-NOTFOUND', 'not found');
      return { route, tenant };
    }
    // Any other Host is an app domain: it serves only the id-tag discovery document.
    if (route?.prefix !== APP_DOMAIN_PREFIX) throw new EdgeError('E-CORE-NOTFOUND', 'unknown host');
    return { route };
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    { route, tenant }: Destination,
    reqId: string | undefined,
  ): void {
    const target = this.config.upstreams[route.service];
    if (!target) throw new EdgeError('E-CORE-NOTFOUND', 'not found');
    const limit = this.config.bodyLimits[route.body];
    if (declaredTooLarge(req, limit)) {
      this.refuseTooLarge(req, res, limit, reqId);
      return;
    }
    this.stripForwarded(req);
    // A declared length within the limit is held to by Node's parser; only a chunked body
    // (no length up front) needs counting on its way through.
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const limiter = chunked
      ? new BodyLimiter(limit, () => this.refuseTooLarge(req, res, limit, reqId))
      : undefined;
    const declared = req.headers['content-length'];
    const small =
      req.method === 'GET'
        ? declared === undefined || declared === '0'
        : req.method === 'POST' && Number(declared) <= REPLAY_BODY_LIMIT;
    if (route.replays && this.replays && tenant !== undefined && !chunked && small) {
      const replays = this.replays;
      this.replayOrForward(req, res, target, { replays, tenant }, reqId).catch((error: unknown) =>
        this.onUpstreamError(error, req, res, reqId, undefined),
      );
      return;
    }
    const body: Readable | null = limiter
      ? req.pipe(limiter)
      : declared !== undefined && declared !== '0'
        ? req
        : null;
    if (tenant) this.signTenant(req, tenant);
    this.forwarder
      .forward(req, res, target, body)
      .catch((error: unknown) => this.onUpstreamError(error, req, res, reqId, limiter));
  }

  /**
   * A repeat of a request whose answer the service marked replayable is answered here; any other
   * goes on, and its answer is kept when the service marks it so.
   */
  private async replayOrForward(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    { replays, tenant }: { replays: ReplayCache; tenant: TenantContext },
    reqId: string | undefined,
  ): Promise<void> {
    const get = req.method === 'GET';
    const body = get ? NO_BODY : await readWhole(req);
    const { tnId } = tenant;
    const key = ReplayCache.keyOf(tnId, req.method ?? 'POST', req.url ?? '/', body);
    const known = replays.get(key);
    if (known) {
      sendReplay(res, known, reqId, req.headers['if-none-match']);
      return;
    }
    this.signTenant(req, tenant);
    const epoch = replays.begin();
    await this.forwarder.forward(req, res, target, get ? null : body, (answer) =>
      replays.remember(key, { tnId, epoch }, answer),
    );
  }

  private refuseTooLarge(
    req: IncomingMessage,
    res: ServerResponse,
    limit: number,
    reqId: string | undefined,
  ): void {
    res.setHeader('Connection', 'close');
    sendError(res, 'E-CORE-TOOLARGE', `request body exceeds ${limit} bytes`, reqId);
    req.unpipe();
    req.resume();
  }

  private stripForwarded(req: IncomingMessage): void {
    if (this.config.trustProxy) return;
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith('x-forwarded-') || name === 'forwarded') delete req.headers[name];
    }
  }

  private fail(res: ServerResponse, error: unknown, reqId: string | undefined): void {
    if (error instanceof RateLimited) {
      if (!res.headersSent) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      sendError(res, 'E-RATE-LIMITED', 'too many requests, slow down', reqId);
      return;
    }
    if (error instanceof EdgeError) {
      sendError(res, error.code, error.message, reqId);
      return;
    }
    if (isAppError(error) && error.status < 500) {
      sendError(res, error.code, error.message, reqId, error.status);
      return;
    }
    this.logger.error('tenant lookup failed', error instanceof Error ? error.stack : String(error));
    sendError(res, 'E-SYS-UNAVAIL', 'service unavailable', reqId);
  }

  private onUpstreamError(
    error: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    reqId: string | undefined,
    limiter: BodyLimiter | undefined,
  ): void {
    // Cut off at the limit: already answered 413, the upstream request was abandoned on purpose.
    if (limiter?.overflowed) return;
    const failure = classifyUpstreamError(error);
    // The client's connection, asked of the response: undici lets go of a failed request's body
    // (the client's request) by setting its `socket` to null.
    const clientGone = res.destroyed || !res.socket || res.socket.destroyed;
    if (failure === 'client-gone' || res.headersSent || clientGone) {
      res.destroy();
      return;
    }
    const code = (error as { code?: string }).code ?? String(error);
    const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
    // The path only: a query may hold a token (`?token=`), which has no place in a log.
    this.logger.warn(`upstream error for ${req.method} ${pathOf(req)}: ${code}${detail}`);
    if (failure === 'timeout') sendError(res, 'E-NET-TIMEOUT', 'upstream timed out', reqId, 504);
    else sendError(res, 'E-SYS-UNAVAIL', 'service unavailable', reqId);
  }

  private onUpgradeError(
    error: Error,
    req: IncomingMessage,
    socket: ServerResponse | Duplex,
  ): void {
    this.logger.warn(`upstream error for upgrade ${pathOf(req)}: ${error.message}`);
    socket.destroy();
  }
}
