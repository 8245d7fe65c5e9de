/**
 * The account page over HTTP: profile and company edits with errors kept, password change ending
 * the other sessions but not this one, e-mail change confirmed by a link to the new address.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { confirmLink, login, newAgent, postForm } from '../../helpers/http';
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

const pathOf = (link: string) => {
  const u = new URL(link);
  return u.pathname + u.search;
};

test('profile and company errors are shown beside the field with the input kept, nothing saved', async () => {
  const person = await makeUser({ company: { name: 'Steady Co' } });
  const agent = newAgent(t.app);
  await login(agent, person.email, person.password);
  const res = await postForm(agent, '/account', { section: 'company', companyName: '', sector: 'ict', size: 'small', website: 'ftp://nope', description: 'Kept text' }, '/account');
  expect(res.status).toBe(422);
  expect(res.text).toContain('id="f-companyName-error"');
  expect(res.text).toContain('id="f-website-error"');
  expect(res.text).toContain('Kept text');
  expect((await Company.findById(person.companyId).lean())?.name).toBe('Steady Co');
  const bad = await postForm(agent, '/account', { section: 'nonsense' }, '/account');
  expect(bad.status).toBe(400);
});

test('a liaison edits agency and working languages; a member cannot set them', async () => {
  const liaison = await makeUser({ role: 'liaison', member: 'JP' });
  const agent = newAgent(t.app);
  await login(agent, liaison.email, liaison.password);
  const res = await postForm(agent, '/account', { section: 'profile', name: 'Sato K.', language: 'en', agency: 'SME Agency', languages: '日本語, English' }, '/account');
  expect(res.status).toBe(303);
  expect(await User.findById(liaison.id).lean()).toMatchObject({ name: 'Sato K.', agency: 'SME Agency', languages: ['日本語', 'English'] });

  const member = await makeUser();
  const memberAgent = newAgent(t.app);
  await login(memberAgent, member.email, member.password);
  await postForm(memberAgent, '/account', { section: 'profile', name: 'Plain', language: 'en', agency: 'Fake Ministry' }, '/account');
  expect((await User.findById(member.id).lean())?.agency).toBeUndefined();
});

test('changing the password asks for the current one and ends only the other sessions', async () => {
  const person = await makeUser();
  const here = newAgent(t.app);
  const elsewhere = newAgent(t.app);
  await login(here, person.email, person.password);
  await login(elsewhere, person.email, person.password);

  const wrong = await postForm(here, '/account', { section: 'password', currentPassword: 'not-it-at-all', newPassword: 'fresh-meadow-lantern' }, '/account');
  expect(wrong.status).toBe(422);
  expect(wrong.text).toContain('The current password is not right.');
  const asEmail = await postForm(here, '/account', { section: 'password', currentPassword: person.password, newPassword: person.email }, '/account');
  expect(asEmail.status).toBe(422);

  const ok = await postForm(here, '/account', { section: 'password', currentPassword: person.password, newPassword: 'fresh-meadow-lantern' }, '/account');
  expect(ok.status).toBe(303);
  expect((await here.get('/account')).status).toBe(200);
  expect((await elsewhere.get('/account')).status).toBe(303);
  await login(newAgent(t.app), person.email, 'fresh-meadow-lantern');
});

test('changing the e-mail address takes effect only through the link sent to the new address', async () => {
  const person = await makeUser({ name: 'Mover' });
  const agent = newAgent(t.app);
  await login(agent, person.email, person.password);
  const newEmail = `moved-${Date.now()}@example.net`;
  const wrong = await postForm(agent, '/account', { section: 'email', newEmail, emailPassword: 'wrong-password-x' }, '/account');
  expect(wrong.status).toBe(422);
  expect(wrong.text).toContain(`value="${newEmail}"`);

  const res = await postForm(agent, '/account', { section: 'email', newEmail, emailPassword: person.password }, '/account');
  expect(res.status).toBe(303);
  expect((await User.findById(person.id).lean())?.email).toBe(person.email);
  await t.smtp.waitFor((m) => m.to.includes(person.email) && /change of your e-mail/.test(m.subject));
  const mail = await t.smtp.waitFor((m) => m.to.includes(newEmail));
  const link = linkIn(mail, '/account/confirm-email');

  expect((await newAgent(t.app).get(pathOf(link))).status).toBe(200);
  expect((await User.findById(person.id).lean())?.email).toBe(person.email);
  const confirmed = await confirmLink(newAgent(t.app), pathOf(link));
  expect(confirmed.status).toBe(303);
  const stored = await User.findById(person.id).lean();
  expect(stored?.email).toBe(newEmail);
  expect(stored?.pendingEmail).toBeUndefined();
  await t.smtp.waitFor((m) => m.to.includes(person.email) && /has been changed/.test(m.subject));
  await login(newAgent(t.app), newEmail, person.password);
  expect((await newAgent(t.app).get(pathOf(link))).status).toBe(400);

  // An address that belongs to someone else: same answer, its owner is told, nothing changes.
  const owner = await makeUser();
  const again = await postForm(agent, '/account', { section: 'email', newEmail: owner.email, emailPassword: person.password }, '/account');
  expect(again.status).toBe(303);
  await t.smtp.waitFor((m) => m.to.includes(owner.email));
  expect((await User.findById(person.id).lean())?.pendingEmail).toBeUndefined();
});
