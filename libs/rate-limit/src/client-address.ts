import { type IncomingMessage } from 'node:http';

/**
 * The client's address for rate limiting. At the edge it is the socket's peer; behind a trusted
 * proxy (an ingress in front of the gateway, the gateway in front of a service) it is the address
 * that proxy appended last to X-Forwarded-For (earlier entries are the client's own claims).
 */
export function clientAddress(req: IncomingMessage, behindTrustedProxy: boolean): string {
  if (behindTrustedProxy) {
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header.join(',') : header;
    const last = value?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? '';
}

/** The header the gateway sets to the client address it determined (any client value replaced). */
export const CLIENT_ADDRESS_HEADER = 'x-real-ip';

/** A service's view of its client: what the gateway in front of it determined. */
export function forwardedClientAddress(req: IncomingMessage): string {
  const header = req.headers[CLIENT_ADDRESS_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim() || (req.socket.remoteAddress ?? '');
}
