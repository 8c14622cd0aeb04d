import { createTenant, sendWelcome } from '@cloudillo/contracts';
import {
  httpRequest,
  type HttpResult,
  startSmtpServer,
  type TestSmtpServer,
} from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
import { type AuthHarness, startTestAccessToken } from './auth-harness';

describe('welcome and password-reset links by mail (real SMTP server on loopback)', () => {
  let identity: IdentityHarness;
  let auth: AuthHarness;
  let smtp: TestSmtpServer;

  const post = (host: string, path: string, body: unknown) =>
    httpRequest({
      port: auth.port,
      method: 'POST',
      path,
      headers: { Host: `cl-o.${host}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const refIn = (text: string) => /\/([A-Za-z0-9_-]{22})\s/.exec(text)?.[1];
  const codeOf = (res: HttpResult) => (res.json as { error?: { code?: string } }).error?.code;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    identity = await startTestIdentity({ baseIdTag: 'base.localhost' });
    auth = await startTestAccessToken({
      natsUrl: identity.nats.url,
      smtpUrl: smtp.url,
      loginFailureDelayMs: 0,
    });
    await identity.rpc.request(createTenant, { idTag: 'newbie.localhost' });
  });

  afterAll(async () => {
    await auth?.close();
    await identity?.close();
    await smtp?.stop();
  });

  it('mails a welcome link that sets the first password once, logging the holder in', async () => {
    const { expiresAt } = await identity.rpc.request(sendWelcome, {
      idTag: 'newbie.localhost',
      email: 'newbie@example.com',
    });
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const mail = await smtp.next('newbie@example.com');
    expect(mail.subject).toContain('Welcome');
    const refId = refIn(mail.text);
    expect(refId).toBeDefined();
    expect(
      (
        await post('newbie.localhost', '/api/auth/login', {
          idTag: 'newbie.localhost',
          password: 'x',
        })
      ).status,
    ).toBe(401);
    const set = await post('newbie.localhost', '/api/auth/set-password', {
      refId,
      newPassword: 'first-password',
    });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({
      data: { idTag: 'newbie.localhost', token: expect.any(String) },
    });
    const again = await post('newbie.localhost', '/api/auth/set-password', {
      refId,
      newPassword: 'second-password',
    });
    expect(again.status).toBe(410);
    expect(codeOf(again)).toBe('E-CORE-GONE');
    const login = await post('newbie.localhost', '/api/auth/login', {
      idTag: 'newbie.localhost',
      password: 'first-password',
    });
    expect(login.status).toBe(200);
  });

  it('mails a reset link on forgot-password, and answers the same when there is no address', async () => {
    const res = await post('newbie.localhost', '/api/auth/forgot-password', {});
    expect(res.status).toBe(200);
    const mail = await smtp.next('newbie@example.com');
    expect(mail.subject).toContain('Reset');
    const refId = refIn(mail.text);
    const set = await post('newbie.localhost', '/api/auth/set-password', {
      refId,
      newPassword: 'reset-password',
    });
    expect(set.status).toBe(200);
    expect(
      (
        await post('newbie.localhost', '/api/auth/login', {
          idTag: 'newbie.localhost',
          password: 'reset-password',
        })
      ).status,
    ).toBe(200);
    const silent = await post('base.localhost', '/api/auth/forgot-password', {});
    expect((silent.json as { data: { message: string } }).data.message).toBe(
      (res.json as { data: { message: string } }).data.message,
    );
  });

  it('keeps a tenant’s links to that tenant and refuses malformed requests', async () => {
    await identity.rpc.request(sendWelcome, {
      idTag: 'newbie.localhost',
      email: 'newbie@example.com',
    });
    const refId = refIn((await smtp.next('newbie@example.com')).text);
    const elsewhere = await post('base.localhost', '/api/auth/set-password', {
      refId,
      newPassword: 'hijacked-password',
    });
    expect(elsewhere.status).toBe(404);
    expect(
      (await post('newbie.localhost', '/api/auth/set-password', { refId, newPassword: 'short' }))
        .status,
    ).toBe(400);
    expect(
      (
        await post('newbie.localhost', '/api/auth/set-password', {
          refId: '../x',
          newPassword: 'long-enough',
        })
      ).status,
    ).toBe(400);
    await expect(
      identity.rpc.request(sendWelcome, { idTag: 'newbie.localhost', email: 'not-an-address' }),
    ).rejects.toMatchObject({ code: 'E-VAL-INVALID' });
  });
});
