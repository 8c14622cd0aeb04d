import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

export type AddressType = 'ipv4' | 'ipv6' | 'hostname';

export interface DomainRecords {
  /** A and AAAA answers (after any CNAME the resolver followed). */
  addresses: { address: string; type: 'ipv4' | 'ipv6' }[];
  /** The CNAME target, when the name is an alias. */
  cname?: string;
}

/** DNS as registration needs it, behind an interface: tests run a real DNS server on loopback. */
export interface DomainResolver {
  records(name: string): Promise<DomainRecords>;
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'ESERVFAIL', 'ENONAME']);

async function orEmpty<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch (error) {
    if (ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) return [];
    throw error;
  }
}

/** node:dns with the configured servers (IDENTITY_DNS_SERVERS), or the system's. */
export class SystemDomainResolver implements DomainResolver {
  private readonly resolver = new Resolver({ timeout: 3_000, tries: 2 });

  constructor(servers: string[] = []) {
    if (servers.length > 0) this.resolver.setServers(servers);
  }

  async records(name: string): Promise<DomainRecords> {
    const [v4, v6, cnames] = await Promise.all([
      orEmpty(this.resolver.resolve4(name)),
      orEmpty(this.resolver.resolve6(name)),
      orEmpty(this.resolver.resolveCname(name)),
    ]);
    const addresses = [
      ...v4.map((address) => ({ address, type: 'ipv4' as const })),
      ...v6.map((address) => ({ address, type: 'ipv6' as const })),
    ];
    const [cname] = cnames;
    return cname ? { addresses, cname: cname.toLowerCase().replace(/\.$/, '') } : { addresses };
  }
}

export function addressType(value: string): AddressType {
  const family = isIP(value);
  return family === 4 ? 'ipv4' : family === 6 ? 'ipv6' : 'hostname';
}
