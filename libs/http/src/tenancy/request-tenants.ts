import { type IncomingMessage } from 'node:http';

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { idTagFromApiHost, NotFoundError } from '@cloudillo/protocol';
import {
  admitTenant,
  readTenantHeader,
  TENANT_HEADER,
  type TenantContext,
  TenantResolver,
} from '@cloudillo/tenancy';

/** The secret the gateway signs the tenant header with (`TENANT_HEADER_SECRET`); may be absent. */
export const TENANT_HEADER_SECRET = Symbol('TENANT_HEADER_SECRET');

type TenantRequest = IncomingMessage & { cloudillo?: { tenant?: TenantContext } };

/** How often a header that fails to verify is logged (a secret differing from the gateway's). */
const MISMATCH_LOG_INTERVAL_MS = 60_000;

/**
 * The tenant of a request, found once: from the gateway's signed header when it verifies, else
 * from the resolver (a direct call, a test), then admitted (suspended 503, purging 404) and kept on
 * the request for the handler's `@Tenant()`.
 */
@Injectable()
export class RequestTenants {
  private readonly logger = new Logger('RequestTenants');
  private lastMismatchLog = 0;

  constructor(
    private readonly resolver: TenantResolver,
    @Optional() @Inject(TENANT_HEADER_SECRET) private readonly secret?: string,
  ) {}

  /**
   * The admitted tenant the Host (`cl-o.<id_tag>`) names; undefined for any other Host (an app
   * domain, a probe), which has no tenant. 404 for an id_tag this deployment does not serve.
   */
  async of(req: IncomingMessage): Promise<TenantContext | undefined> {
    const typed = req as TenantRequest;
    const known = typed.cloudillo?.tenant;
    if (known) return known;
    const idTag = idTagFromApiHost(req.headers.host ?? '')?.ascii;
    if (idTag === undefined) return undefined;
    const tenant = admitTenant(this.fromHeader(req, idTag) ?? (await this.resolver.require(idTag)));
    typed.cloudillo = { ...typed.cloudillo, tenant };
    return tenant;
  }

  /** Like `of`, for handlers that serve only tenant hosts: any other Host is 404. */
  async require(req: IncomingMessage): Promise<TenantContext> {
    const tenant = await this.of(req);
    if (!tenant) throw new NotFoundError('unknown host');
    return tenant;
  }

  private fromHeader(req: IncomingMessage, idTag: string): TenantContext | undefined {
    const value = req.headers[TENANT_HEADER];
    if (value === undefined || this.secret === undefined) return undefined;
    const tenant = readTenantHeader(value, idTag, this.secret, Math.floor(Date.now() / 1000));
    if (!tenant) this.reportMismatch();
    return tenant;
  }

  private reportMismatch(): void {
    const now = Date.now();
    if (now - this.lastMismatchLog < MISMATCH_LOG_INTERVAL_MS) return;
    this.lastMismatchLog = now;
    this.logger.warn(
      `a ${TENANT_HEADER} header did not verify (TENANT_HEADER_SECRET differs from the gateway's?)`,
    );
  }
}

/** The tenant `RequestTenants` found for this request, if any (for synchronous readers). */
export function tenantOfRequest(req: IncomingMessage): TenantContext | undefined {
  return (req as TenantRequest).cloudillo?.tenant;
}
