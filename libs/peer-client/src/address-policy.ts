import ipaddr from 'ipaddr.js';

/**
 * Whether an address is public unicast: the only kind a server-side fetch to a peer may reach.
 * Loopback, private, link-local, CGNAT, unique-local, multicast, reserved, documentation and
 * translation ranges are all refused; IPv4-mapped IPv6 is judged as the IPv4 address it maps.
 */
export function isPublicUnicast(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}
