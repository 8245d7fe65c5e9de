/**
 * Secrets stay out of the logs: real requests through the app's request logger, written to a
 * captured stream, carry no session cookie, no CSRF token, no token from a URL and no
 * Authorization header — and the lines are still there, with the redaction marks.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createLogger, redactUrl } from '../../../src/web/logging';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { csrfFrom } from '../../helpers/http';

jest.setTimeout(60_000);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

test('redactUrl replaces token-like query values only', () => {
  expect(redactUrl('/practices/new?_csrf=abc&lang=en')).toBe('/practices/new?_csrf=[redacted]&lang=en');
  expect(redactUrl('http://x.test/reset-password?token=s3cr3t#top')).toBe('http://x.test/reset-password?token=[redacted]#top');
  expect(redactUrl('/board/unsubscribe?unsubscribeToken=t&page=2')).toBe('/board/unsubscribe?unsubscribeToken=[redacted]&page=2');
  expect(redactUrl('/x?%5Fcsrf=abc')).toBe('/x?%5Fcsrf=[redacted]');
  expect(redactUrl('/practices?q=token')).toBe('/practices?q=token');
});

test('a signed-in session logged at info level shows no cookie, CSRF token, URL token or authorization', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ logLevel: 'info', env: 'production' }, { destination: sink });
  const app = createApp({ ...t.ctx, logger });
  const agent = request.agent(app);

  const loginPage = await agent.get('/login');
  const token = csrfFrom(loginPage.text);
  const login = await agent.post('/login').type('form').send({ email: ORGANIZER.email, password: ORGANIZER.password, _csrf: token });
  expect(login.status).toBe(303);
  const setCookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
  const sessionValue = setCookies.map((c) => /^asem\.sid=([^;]+)/.exec(c)?.[1]).find(Boolean);
  expect(sessionValue).toBeTruthy();

  const page = await agent.get('/practices/new');
  const formToken = csrfFrom(page.text);
  await agent
    .get(`/practices/new?_csrf=${formToken}&lang=en`)
    .set('Authorization', 'Bearer authz-secret-123')
    .set('Referer', `http://portal.test/practices/new?_csrf=${formToken}`);
  await agent.get('/reset-password?token=reset-secret-456');
  await agent.post('/logout').type('form').send({ _csrf: 'forged-token-789' }); // refused: logged as such

  const log = lines.join('');
  expect(log).toContain('/practices/new');
  expect(log).toContain('[redacted]');
  for (const secret of [sessionValue!, decodeURIComponent(sessionValue!), token, formToken, 'authz-secret-123', 'reset-secret-456', 'forged-token-789']) {
    expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
  }
});
