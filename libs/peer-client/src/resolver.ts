import { lookup } from 'node:dns/promises';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name resolution, behind an interface: public DNS cannot be reached from tests. */
export interface HostResolver {
  resolve(host: string): Promise<ResolvedAddress[]>;
}

/** The system resolver (getaddrinfo), every address. */
export const systemResolver: HostResolver = {
  async resolve(host) {
    const answers = await lookup(host, { all: true, verbatim: true });
    return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  },
};
