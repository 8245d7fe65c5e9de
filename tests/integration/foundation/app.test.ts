/**
 * The foundation over HTTP: health, security headers, language, error pages, CSRF and login.
 */
import request from 'supertest';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { csrfToken, login, newAgent, postForm } from '../../helpers/http';

function cookiesOf(res: { headers: Record<string, unknown> }): string[] {
  const raw = res.headers['set-cookie'];
  return Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

test('/healthz answers ok while the database answers', async () => {
  const res = await request(t.app).get('/healthz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ok' });
});

test('pages carry a strict CSP and no inline script', async () => {
  const res = await request(t.app).get('/');
  expect(res.status).toBe(200);
  const csp = res.headers['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(res.text).not.toMatch(/\sstyle="/);
});

test('the language comes from ?lang= (this page only), the switcher\'s cookie, and falls back to Accept-Language', async () => {
  const agent = newAgent(t.app);
  const zh = await agent.get('/?lang=zh-CN');
  expect(zh.text).toContain('<html lang="zh-CN">');
  expect(zh.text).toContain('亚欧中小企业交流网');
  expect(cookiesOf(zh).join(';')).not.toMatch(/lang=/);
  expect((await agent.get('/').set('Accept-Language', 'en')).text).toContain('<html lang="en">');
  const switched = await agent.post('/language').type('form').send({ lang: 'zh-CN', next: '/' });
  expect(cookiesOf(switched).join(';')).toMatch(/lang=zh-CN/);
  const again = await agent.get('/');
  expect(again.text).toContain('<html lang="zh-CN">');
  const fromHeader = await request(t.app).get('/').set('Accept-Language', 'zh-TW,zh;q=0.9,en;q=0.5');
  expect(fromHeader.text).toContain('<html lang="zh-CN">');
  const english = await request(t.app).get('/').set('Accept-Language', 'fr-FR,en;q=0.8');
  expect(english.text).toContain('<html lang="en">');
});

test('an unknown page is a 404 page in the reader language, without internals', async () => {
  const res = await request(t.app).get('/no/such/page?lang=zh-CN');
  expect(res.status).toBe(404);
  expect(res.text).toContain('页面不存在');
  expect(res.text).not.toMatch(/at .*\.ts:\d+/);
});

test('a form posted without its CSRF token is refused with 403 and changes nothing', async () => {
  const agent = newAgent(t.app);
  await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ email: ORGANIZER.email, password: ORGANIZER.password });
  expect(res.status).toBe(403);
  expect(res.text).toContain('The form has expired');
  const account = await agent.get('/account');
  expect(account.status).toBe(303);
});

test('a wrong CSRF token is refused too', async () => {
  const agent = newAgent(t.app);
  await csrfToken(agent);
  const res = await agent.post('/login').type('form').send({ email: ORGANIZER.email, password: ORGANIZER.password, _csrf: 'forged' });
  expect(res.status).toBe(403);
});

test('login regenerates the session, logout ends it', async () => {
  const agent = newAgent(t.app);
  const before = await agent.get('/login');
  const cookieBefore = cookiesOf(before).find((c) => c.startsWith('asem.sid='));
  await login(agent, ORGANIZER.email, ORGANIZER.password);
  const home = await agent.get('/');
  expect(home.text).toContain('action="/logout"');
  const cookieAfter = cookiesOf(await agent.get('/login'));
  expect(cookieAfter.find((c) => c === cookieBefore)).toBeUndefined();
  const out = await postForm(agent, '/logout', {}, '/');
  expect(out.status).toBe(303);
  const after = await agent.get('/');
  expect(after.text).not.toContain('action="/logout"');
});

test('a wrong password gets one generic message and keeps the e-mail in the form', async () => {
  const agent = newAgent(t.app);
  const res = await postForm(agent, '/login', { email: ORGANIZER.email, password: 'wrong-password-1' });
  expect(res.status).toBe(401);
  expect(res.text).toContain('The e-mail address or password is not right.');
  expect(res.text).toContain(`value="${ORGANIZER.email}"`);
  const unknown = await postForm(agent, '/login', { email: 'nobody@example.org', password: 'wrong-password-1' });
  expect(unknown.status).toBe(401);
  expect(unknown.text).toContain('The e-mail address or password is not right.');
});

test('login never redirects to another site', async () => {
  const agent = newAgent(t.app);
  const res = await postForm(agent, '/login', { email: ORGANIZER.email, password: ORGANIZER.password, next: '//evil.example/' });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/');
});

test('an oversized form body is refused with 413, not a 500', async () => {
  const agent = newAgent(t.app);
  const token = await csrfToken(agent);
  const res = await agent.post('/login').type('form').send(`_csrf=${token}&email=${'a'.repeat(300_000)}`);
  expect(res.status).toBe(413);
});
