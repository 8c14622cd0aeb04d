import ipaddr from 'ipaddr.js';

/**
 * The keys one client address counts under (protocol §9): the address itself (IPv4 /32, IPv6
 * /64) and its network (IPv4 /24, IPv6 /48), so that neither one host nor one network can
 * exhaust a bucket. IPv4-mapped IPv6 addresses count as IPv4. Undefined for anything unparsable.
 */
export function addressKeys(address: string): { host: string; network: string } | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  if (ip.kind() === 'ipv4') {
    const bytes = ip.toByteArray();
    return { host: `4:${bytes.join('.')}`, network: `4n:${bytes.slice(0, 3).join('.')}` };
  }
  const parts = (ip as ipaddr.IPv6).parts.map((p) => p.toString(16));
  return { host: `6:${parts.slice(0, 4).join(':')}`, network: `6n:${parts.slice(0, 3).join(':')}` };
}
