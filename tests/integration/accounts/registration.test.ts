/**
 * Registration over HTTP with the real SMTP capture: register → verification link → login →
 * account edit → logout; duplicate registration; form errors; wrong and expired links; CSRF.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { confirmLink, csrfFrom, login, newAgent, postForm } from '../../helpers/http';
import { makeUser } from '../../helpers/factories';
import { linkIn } from '../../helpers/smtp';
import { Company, User } from '../../../src/modules/accounts/model';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});
afterEach(() => t.setNow(null));

let seq = 0;
function registration(overrides: Record<string, string> = {}): Record<string, string> {
  seq += 1;
  return {
    name: `Wang Fang ${seq}`,
    email: `founder${seq}-${Date.now()}@example.com`,
    password: 'blue-lantern-harbour-7',
    language: 'en',
    companyName: `Harbour Lanterns ${seq}`,
    member: 'CN',
    sector: 'manufacturing',
    size: 'small',
    website: 'https://lanterns.example.com',
    description: 'Paper lanterns for festivals.',
    products: 'Lanterns, lamps',
    ...overrides,
  };
}

function pathOf(link: string): string {
  const u = new URL(link);
  return u.pathname + u.search;
}

test('register → confirm by the e-mailed link → log in → edit the account → log out', async () => {
  const data = registration();
  const agent = newAgent(t.app);
  const res = await postForm(agent, '/register', data, '/register');
  expect(res.status).toBe(200);
  expect(res.text).toContain('Check your e-mail');

  const user = await User.findOne({ email: data.email }).lean();
  expect(user?.emailVerifiedAt).toBeFalsy();
  expect(user?.verification?.hash).toMatch(/^[a-f0-9]{64}$/);
  const company = await Company.findOne({ owner: user!._id }).lean();
  expect(company).toMatchObject({ name: data.companyName, member: 'CN', sector: 'manufacturing', size: 'small', listed: false });
  expect(String(user!.company)).toBe(String(company!._id));

  // Not listed and not able to log in before the address is confirmed.
  expect((await agent.get('/members/CN')).text).not.toContain(data.companyName);
  const early = await postForm(agent, '/login', { email: data.email, password: data.password });
  expect(early.status).toBe(403);
  expect(early.text).toContain('confirm your e-mail address first');

  const mail = await t.smtp.waitFor((m) => m.to.includes(data.email) && /Confirm your e-mail/.test(m.subject));
  expect(mail.html).toContain('Confirm my address');
  const link = linkIn(mail, '/verify-email');
  expect(link.startsWith('http://portal.test/verify-email?token=')).toBe(true);
  // Only the token's hash is stored.
  const token = new URL(link).searchParams.get('token')!;
  expect(user!.verification!.hash).not.toBe(token);

  // Opening the link changes nothing: the page asks, its button verifies.
  const asking = await agent.get(pathOf(link));
  expect(asking.status).toBe(200);
  expect(asking.text).toContain('<form method="post" action="/verify-email">');
  expect((await User.findById(user!._id).lean())?.emailVerifiedAt).toBeFalsy();
  const verified = await confirmLink(agent, pathOf(link));
  expect(verified.status).toBe(303);
  expect(verified.headers.location).toBe('/login');
  expect((await Company.findById(company!._id).lean())?.listed).toBe(true);
  // Single use.
  expect((await agent.get(pathOf(link))).status).toBe(400);
  expect((await postForm(agent, '/verify-email', { token }, '/register')).status).toBe(400);

  await login(agent, data.email, data.password);
  const account = await agent.get('/account');
  expect(account.status).toBe(200);
  expect(account.text).toContain(data.companyName);

  const saved = await postForm(agent, '/account', { section: 'profile', name: 'Wang Fang', language: 'zh-CN' }, '/account');
  expect(saved.status).toBe(303);
  const companySaved = await postForm(
    agent,
    '/account',
    { section: 'company', companyName: 'Harbour Lanterns Co.', sector: 'creative', size: 'micro', website: '', description: 'Lanterns and lamps.', products: 'Lanterns' },
    '/account',
  );
  expect(companySaved.status).toBe(303);
  expect(await User.findById(user!._id).lean()).toMatchObject({ name: 'Wang Fang', language: 'zh-CN' });
  const edited = await Company.findById(company!._id).lean();
  expect(edited).toMatchObject({ name: 'Harbour Lanterns Co.', sector: 'creative', size: 'micro', member: 'CN' });
  expect(edited?.website).toBeUndefined();
  expect((await agent.get('/members/CN')).text).toContain('Harbour Lanterns Co.');

  const page = await agent.get('/account');
  const logout = await agent.post('/logout').type('form').send({ _csrf: csrfFrom(page.text) });
  expect(logout.status).toBe(303);
  expect((await agent.get('/account')).headers.location).toBe('/login?next=%2Faccount');
});

test('an address that is already registered gets the same page, and its owner an e-mail', async () => {
  const owner = await makeUser({ language: 'zh-CN' });
  const fresh = registration();
  const first = await postForm(newAgent(t.app), '/register', fresh, '/register');
  const dup = await postForm(newAgent(t.app), '/register', registration({ email: owner.email.toUpperCase(), name: fresh.name, companyName: fresh.companyName }), '/register');
  expect(dup.status).toBe(first.status);
  const strip = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');
  expect(strip(dup.text)).toBe(strip(first.text));
  const notice = await t.smtp.waitFor((m) => m.to.includes(owner.email) && m.subject === '有人尝试用您的邮箱注册');
  expect(notice.text).toContain('/forgot-password');
  expect(await User.countDocuments({ email: owner.email })).toBe(1);
  expect(await Company.countDocuments({ name: fresh.companyName })).toBe(1);
});

test('form errors are shown beside the fields with the input kept (422), and nothing is stored', async () => {
  const data = registration({ email: 'not-an-address', password: 'short', member: 'XX', size: 'huge', companyName: '<Lantern & Co>' });
  const res = await postForm(newAgent(t.app), '/register', data, '/register');
  expect(res.status).toBe(422);
  expect(res.text).toContain('Enter an e-mail address like name@example.com.');
  expect(res.text).toContain('Use at least 10 characters.');
  expect(res.text).toContain('id="f-email-error"');
  expect(res.text).toContain('aria-invalid="true"');
  expect(res.text).toContain('value="not-an-address"');
  expect(res.text).toContain('value="&lt;Lantern &amp; Co&gt;"');
  expect(res.text).not.toContain('value="short"');
  expect(res.text).toMatch(/id="f-member-error"/);
  expect(res.text).toMatch(/id="f-size-error"/);
  expect(await User.countDocuments({ email: 'not-an-address' })).toBe(0);
});

test('password rules: not the e-mail address, not a common password', async () => {
  const email = `rules-${Date.now()}@example.com`;
  const sameAsEmail = await postForm(newAgent(t.app), '/register', registration({ email, password: email }), '/register');
  expect(sameAsEmail.status).toBe(422);
  expect(sameAsEmail.text).toContain('Do not use your e-mail address as the password.');
  const common = await postForm(newAgent(t.app), '/register', registration({ email, password: 'password123' }), '/register');
  expect(common.status).toBe(422);
  expect(common.text).toContain('too common');
  expect(await User.countDocuments({ email })).toBe(0);
});

test('a wrong verification link and an expired one are refused with a readable page', async () => {
  const wrong = await newAgent(t.app).get('/verify-email?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  expect(wrong.status).toBe(400);
  expect(wrong.text).toContain('This link is not valid');
  const odd = await newAgent(t.app).get('/verify-email?token[$ne]=x');
  expect(odd.status).toBe(400);

  const data = registration();
  await postForm(newAgent(t.app), '/register', data, '/register');
  const mail = await t.smtp.waitFor((m) => m.to.includes(data.email));
  t.setNow(new Date(Date.now() + 25 * 3600 * 1000));
  const expired = await newAgent(t.app).get(pathOf(linkIn(mail, '/verify-email')));
  expect(expired.status).toBe(400);
  expect((await User.findOne({ email: data.email }).lean())?.emailVerifiedAt).toBeFalsy();

  // A new link can be asked for; the answer is the same for unknown addresses.
  t.setNow(null);
  const resend = await postForm(newAgent(t.app), '/verify-email/resend', { email: data.email }, '/verify-email/resend');
  const unknown = await postForm(newAgent(t.app), '/verify-email/resend', { email: 'nobody@example.com' }, '/verify-email/resend');
  expect(resend.status).toBe(200);
  expect(unknown.status).toBe(200);
  expect(unknown.text.replace(/_csrf" value="[^"]*"/g, '')).toBe(resend.text.replace(/_csrf" value="[^"]*"/g, ''));
  const second = await t.smtp.waitFor((m) => m.to.includes(data.email) && linkIn(m, '/verify-email') !== linkIn(mail, '/verify-email'));
  const ok = await confirmLink(newAgent(t.app), pathOf(linkIn(second, '/verify-email')));
  expect(ok.status).toBe(303);
});

test('a form sent without its CSRF token is refused with 403', async () => {
  const agent = newAgent(t.app);
  await agent.get('/register');
  const res = await agent.post('/register').type('form').send(registration());
  expect(res.status).toBe(403);
  expect(res.text).toContain('The form has expired');
  const wrong = await agent.post('/register').type('form').send({ ...registration(), _csrf: 'forged' });
  expect(wrong.status).toBe(403);
});
