import { isPublicUnicast } from './address-policy';

describe('isPublicUnicast', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isPublicUnicast(address)).toBe(true);
    },
  );

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback v6', '::1'],
    ['private', '10.1.2.3'],
    ['private', '172.16.0.1'],
    ['private', '192.168.1.1'],
    ['link-local (cloud metadata)', '169.254.169.254'],
    ['CGNAT', '100.64.0.1'],
    ['unspecified', '0.0.0.0'],
    ['multicast', '224.0.0.1'],
    ['documentation', '192.0.2.10'],
    ['benchmarking', '198.18.0.1'],
    ['link-local v6', 'fe80::1'],
    ['unique-local v6', 'fd00::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['NAT64 prefix', '64:ff9b::7f00:1'],
    ['6to4', '2002:7f00:1::1'],
    ['not an address', 'example.com'],
  ])('refuses %s %s', (_kind, address) => {
    expect(isPublicUnicast(address)).toBe(false);
  });
});
