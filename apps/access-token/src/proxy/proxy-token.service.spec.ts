import { ContractClient, type RpcTransport, signWithTenantKey } from '@cloudillo/contracts';
import { type PeerClient, PeerError } from '@cloudillo/peer-client';

import { ProxyTokenService } from './proxy-token.service';

const NOW = 1_900_000_000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const peerToken = (exp: number, r = 'contributor') =>
  `${b64({ alg: 'EdDSA' })}.${b64({ iss: 'b.example.com', exp, r })}.sig`;

describe('ProxyTokenService (protocol §4.4, node A’s side)', () => {
  let now: number;
  let signed: number;
  let answers: (() => Promise<unknown>)[];
  let service: ProxyTokenService;

  beforeEach(() => {
    now = NOW;
    signed = 0;
    answers = [];
    const transport: RpcTransport = {
      request: async (subject) => {
        expect(subject).toBe(signWithTenantKey.subject);
        signed++;
        return { token: `proxy-${signed}`, keyId: '260101' };
      },
      publish: async () => undefined,
      subscribe: () => () => undefined,
    };
    const peers = {
      getJson: jest.fn(async () => {
        const next = answers.shift();
        if (!next) throw new Error('no answer scripted');
        return next();
      }),
    } as unknown as PeerClient;
    service = new ProxyTokenService(
      new ContractClient(transport),
      peers,
      () => new Date(now * 1000),
    );
  });

  it('exchanges once, then serves the cache until 60 s before expiry', async () => {
    answers.push(async () => ({ data: { token: peerToken(NOW + 3600) } }));
    await expect(service.tokenAt('a.example.com', 'b.example.com')).resolves.toEqual({
      token: peerToken(NOW + 3600),
      roles: ['contributor'],
    });
    now = NOW + 3600 - 61;
    await service.tokenAt('a.example.com', 'b.example.com');
    expect(signed).toBe(1);
    now = NOW + 3600 - 59;
    answers.push(async () => ({ data: { token: peerToken(now + 3600) } }));
    await service.tokenAt('a.example.com', 'b.example.com');
    expect(signed).toBe(2);
  });

  it('retries once with a fresh PROXY token after a 401 or 403', async () => {
    answers.push(async () => {
      throw new PeerError('status', 'b answered 401', 401);
    });
    answers.push(async () => ({ data: { token: peerToken(NOW + 3600) } }));
    await expect(service.tokenAt('a.example.com', 'b.example.com')).resolves.toMatchObject({
      roles: ['contributor'],
    });
    expect(signed).toBe(2);
  });

  it('gives up after the retry (403 E-AUTH-NOPERM), and maps an unreachable peer to 503', async () => {
    for (let i = 0; i < 2; i++) {
      answers.push(async () => {
        throw new PeerError('status', 'b answered 403', 403);
      });
    }
    await expect(service.tokenAt('a.example.com', 'b.example.com')).rejects.toMatchObject({
      code: 'E-AUTH-NOPERM',
    });
    answers.push(async () => {
      throw new PeerError('network', 'connection refused');
    });
    await expect(service.tokenAt('a.example.com', 'c.example.com')).rejects.toMatchObject({
      code: 'E-SYS-UNAVAIL',
    });
    expect(signed).toBe(3); // no retry after a network failure
  });

  it('keeps tokens per (tenant, peer)', async () => {
    answers.push(async () => ({ data: { token: peerToken(NOW + 3600, 'leader') } }));
    answers.push(async () => ({ data: { token: peerToken(NOW + 3600, '') } }));
    const one = await service.tokenAt('a.example.com', 'b.example.com');
    const two = await service.tokenAt('x.example.com', 'b.example.com');
    expect(one.roles).toEqual(['leader']);
    expect(two.roles).toEqual([]);
  });
});
