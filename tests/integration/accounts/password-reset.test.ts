/**
 * Password reset over HTTP: the same answer whether or not the account exists, a single-use link
 * valid for one hour, password rules, and every session of the account ended afterwards.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { login, newAgent, postForm } from '../../helpers/http';
import { makeUser } from '../../helpers/factories';
import { linkIn } from '../../helpers/smtp';
import { User } from '../../../src/modules/accounts/model';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});
afterEach(() => t.setNow(null));

const pathOf = (link: string) => {
  const u = new URL(link);
  return u.pathname + u.search;
};
const withoutCsrf = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');

test('reset: same page for known and unknown addresses, link mailed, sessions ended, new password works once', async () => {
  const person = await makeUser({ language: 'zh-CN' });
  const other = newAgent(t.app);
  await login(other, person.email, person.password);
  expect((await other.get('/account')).status).toBe(200);

  const known = await postForm(newAgent(t.app), '/forgot-password', { email: person.email.toUpperCase() }, '/forgot-password');
  const unknown = await postForm(newAgent(t.app), '/forgot-password', { email: 'nobody-here@example.com' }, '/forgot-password');
  expect(known.status).toBe(200);
  expect(unknown.status).toBe(200);
  expect(withoutCsrf(known.text)).toBe(withoutCsrf(unknown.text));

  const mail = await t.smtp.waitFor((m) => m.to.includes(person.email) && m.subject === '设置新密码');
  const link = linkIn(mail, '/reset-password');
  expect(link.startsWith('http://portal.test/reset-password?token=')).toBe(true);
  const stored = await User.findById(person.id).lean();
  expect(stored?.passwordReset?.hash).toMatch(/^[a-f0-9]{64}$/);
  expect(link).not.toContain(stored!.passwordReset!.hash);

  const agent = newAgent(t.app);
  const form = await agent.get(pathOf(link));
  expect(form.status).toBe(200);
  const token = new URL(link).searchParams.get('token')!;
  const weak = await postForm(agent, '/reset-password', { token, password: 'qwertyuiop' }, pathOf(link));
  expect(weak.status).toBe(422);
  expect(weak.text).toContain('too common');

  const done = await postForm(agent, '/reset-password', { token, password: 'new-river-stone-garden' }, pathOf(link));
  expect(done.status).toBe(303);
  expect(done.headers.location).toBe('/login');
  // The other session has ended.
  expect((await other.get('/account')).status).toBe(303);
  expect((await postForm(newAgent(t.app), '/login', { email: person.email, password: person.password })).status).toBe(401);
  await login(newAgent(t.app), person.email, 'new-river-stone-garden');
  // Single use.
  expect((await newAgent(t.app).get(pathOf(link))).status).toBe(400);
  const reused = await postForm(newAgent(t.app), '/reset-password', { token, password: 'another-long-password' }, '/forgot-password');
  expect(reused.status).toBe(400);
});

test('a reset link expires after one hour; wrong tokens are refused', async () => {
  const person = await makeUser();
  await postForm(newAgent(t.app), '/forgot-password', { email: person.email }, '/forgot-password');
  const mail = await t.smtp.waitFor((m) => m.to.includes(person.email) && /new password/.test(m.subject));
  const link = linkIn(mail, '/reset-password');
  t.setNow(new Date(Date.now() + 61 * 60 * 1000));
  const expired = await newAgent(t.app).get(pathOf(link));
  expect(expired.status).toBe(400);
  expect(expired.text).toContain('This link is not valid');
  const token = new URL(link).searchParams.get('token')!;
  expect((await postForm(newAgent(t.app), '/reset-password', { token, password: 'valid-but-too-late-1' }, '/forgot-password')).status).toBe(400);
  await login(newAgent(t.app), person.email, person.password);
  t.setNow(null);
  expect((await newAgent(t.app).get('/reset-password?token=wrong')).status).toBe(400);
  expect((await newAgent(t.app).get('/reset-password')).status).toBe(400);
});

test('suspended accounts get no reset link (and the page looks the same)', async () => {
  const person = await makeUser({ status: 'suspended' });
  const res = await postForm(newAgent(t.app), '/forgot-password', { email: person.email }, '/forgot-password');
  expect(res.status).toBe(200);
  await t.ctx.mailer.drained();
  expect(t.smtp.to(person.email)).toHaveLength(0);
});
