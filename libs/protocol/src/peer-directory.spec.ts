import { isPeerMapName, PeerDirectory } from './peer-directory';

describe('PeerDirectory', () => {
  it('uses https://cl-o.<A-label> by default', () => {
    const peers = new PeerDirectory();
    expect(peers.baseUrl('bücher.example')).toBe('https://cl-o.xn--bcher-kva.example');
    expect(peers.isMapped('bücher.example')).toBe(false);
  });

  it('replaces mapped peers with their configured address', () => {
    const peers = new PeerDirectory({
      'alice.localhost': 'http://127.0.0.1:8081/',
      'bob.localhost': 'http://127.0.0.1:8082',
    });
    expect(peers.baseUrl('alice.localhost')).toBe('http://127.0.0.1:8081');
    expect(peers.baseUrl('bob.localhost')).toBe('http://127.0.0.1:8082');
    expect(peers.isMapped('alice.localhost')).toBe(true);
    expect(peers.baseUrl('carol.localhost')).toBe('https://cl-o.carol.localhost');
    expect(peers.apiHost('alice.localhost')).toBe('cl-o.alice.localhost');
    expect(peers.apiHost('bücher.example')).toBe('cl-o.xn--bcher-kva.example');
    expect(peers.apiHost('Nope')).toBeUndefined();
  });

  it('refuses invalid id_tags, in the map and in lookups', () => {
    expect(() => new PeerDirectory({ Not_Valid: 'http://127.0.0.1:1' })).toThrow(
      /not a valid id_tag/,
    );
    const peers = new PeerDirectory();
    expect(peers.baseUrl('../etc')).toBeUndefined();
    expect(peers.isMapped('../etc')).toBe(false);
  });
});

describe('PeerDirectory wildcard entries', () => {
  const dir = new PeerDirectory({
    '*.provider.example': 'http://127.0.0.1:9000/',
    'special.provider.example': 'http://127.0.0.1:9001',
  });

  it('map every id_tag under the domain, exact entries first, not the domain itself', () => {
    expect(dir.baseUrl('alice.provider.example')).toBe('http://127.0.0.1:9000');
    expect(dir.baseUrl('a.b.provider.example')).toBe('http://127.0.0.1:9000');
    expect(dir.baseUrl('special.provider.example')).toBe('http://127.0.0.1:9001');
    expect(dir.baseUrl('provider.example')).toBe('https://cl-o.provider.example');
    expect(dir.isMapped('alice.provider.example')).toBe(true);
    expect(dir.isMapped('provider.example')).toBe(false);
  });

  it('are names a peer map may use', () => {
    expect(isPeerMapName('*.provider.example')).toBe(true);
    expect(isPeerMapName('alice.example.com')).toBe(true);
    expect(isPeerMapName('*.Not_Valid')).toBe(false);
    expect(() => new PeerDirectory({ '*.bad_domain': 'http://x' })).toThrow(/not a valid id_tag/);
  });
});
