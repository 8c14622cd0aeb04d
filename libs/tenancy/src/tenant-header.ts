import { hmacTag, hmacTagMatches } from '@cloudillo/crypto';
import { TENANT_STATUSES, type TenantStatus } from '@cloudillo/protocol';

import { type TenantContext } from './tenant-context';

/**
 * The tenant the gateway resolved for a request, handed to the service behind it so that the
 * service need not resolve it again.
 *
 * Threat model: only the gateway may set it. The gateway removes whatever a client sent under this
 * name and signs its own value with a secret it shares with the services (HMAC-SHA256 over the
 * Host's id_tag, the tnId, the status and the time), so a client cannot forge one, and one taken
 * from another request does not fit another Host. A copied value could be replayed only by someone
 * who can reach the services directly and read their traffic, and only for `TENANT_HEADER_MAX_AGE_S`
 * seconds, asserting what was true then. A value that does not verify is ignored: the service
 * resolves the tenant itself, as it does when called without the gateway.
 */
export const TENANT_HEADER = 'x-cloudillo-tenant';
export const TENANT_HEADER_MAX_AGE_S = 60;
/** The gateway's and a service's clocks may differ this much. */
const CLOCK_SKEW_S = 5;

function signed(idTag: string, tnId: number, status: string, issuedAt: number): string {
  return `v1\n${idTag}\n${tnId}\n${status}\n${issuedAt}`;
}

/** The header's value for `tenant`: `<tnId>.<status>.<issued at, Unix s>.<HMAC>`. */
export function signTenantHeader(
  tenant: TenantContext,
  secret: string,
  nowSeconds: number,
): string {
  const mac = hmacTag(secret, signed(tenant.idTag, tenant.tnId, tenant.status, nowSeconds));
  return `${tenant.tnId}.${tenant.status}.${nowSeconds}.${mac}`;
}

const VALUE = /^([1-9]\d{0,15})\.([A-Z])\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** The tenant a header value asserts for the Host's `idTag`, or undefined when it does not verify. */
export function readTenantHeader(
  value: string | string[] | undefined,
  idTag: string,
  secret: string,
  nowSeconds: number,
): TenantContext | undefined {
  if (typeof value !== 'string') return undefined;
  const match = VALUE.exec(value);
  if (!match) return undefined;
  const [, tnIdText, status, issuedAtText, mac] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!(TENANT_STATUSES as readonly string[]).includes(status)) return undefined;
  const issuedAt = Number(issuedAtText);
  if (issuedAt > nowSeconds + CLOCK_SKEW_S || issuedAt < nowSeconds - TENANT_HEADER_MAX_AGE_S)
    return undefined;
  const tnId = Number(tnIdText);
  if (!hmacTagMatches(secret, signed(idTag, tnId, status, issuedAt), mac)) return undefined;
  return { idTag, tnId, status: status as TenantStatus };
}
