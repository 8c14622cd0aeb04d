import { addressKeys } from './address-keys';
import { bucketFor } from './buckets';

describe('bucketFor', () => {
  it.each([
    ['/api/auth/login', 'auth'],
    ['/api/auth/forgot-password', 'auth'],
    ['/api/profiles/register', 'auth'],
    ['/api/profiles/verify', 'auth'],
    ['/api/auth/access-token', 'federation'],
    ['/api/inbox', 'federation'],
    ['/api/inbox/sync', 'federation'],
    ['/api/search', 'search'],
    ['/ws/crdt/f1~x', 'websocket'],
    ['/dav/principal/', 'dav'],
    ['/api/me', 'general'],
    ['/api/auth/login-token', 'general'],
    ['/api/inboxes', 'general'],
  ])('%s → %s', (path, bucket) => {
    expect(bucketFor(path)).toBe(bucket);
  });
});

describe('addressKeys', () => {
  it.each([
    ['203.0.113.7', { host: '4:203.0.113.7', network: '4n:203.0.113' }],
    ['::ffff:203.0.113.7', { host: '4:203.0.113.7', network: '4n:203.0.113' }],
    ['2001:db8:1:2:3:4:5:6', { host: '6:2001:db8:1:2', network: '6n:2001:db8:1' }],
    ['2001:db8:1:2::9', { host: '6:2001:db8:1:2', network: '6n:2001:db8:1' }],
  ])('%s', (address, keys) => {
    expect(addressKeys(address)).toEqual(keys);
  });

  it('refuses what is not an address', () => {
    expect(addressKeys('not-an-ip')).toBeUndefined();
    expect(addressKeys('')).toBeUndefined();
  });
});
