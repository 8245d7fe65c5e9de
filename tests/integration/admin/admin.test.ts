/**
 * Organizer pages over HTTP: role guards, user search, liaison designation and revocation,
 * suspension (the person is logged out everywhere and cannot log in), ASEM members, audit log.
 */
import request from 'supertest';
import mongoose from 'mongoose';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { makeUser } from '../../helpers/factories';
import { Company, User } from '../../../src/modules/accounts/model';
import { createAccountAdministration } from '../../../src/modules/accounts';
import type { Actor } from '../../../src/kernel';
import { AsemMember } from '../../../src/modules/members/model';
import { AuditEntry } from '../../../src/modules/audit/model';

let t: TestApp;
let organizer: Agent;
beforeAll(async () => {
  t = await createTestApp();
  organizer = newAgent(t.app);
  await login(organizer, ORGANIZER.email, ORGANIZER.password);
});
afterAll(async () => {
  await t.close();
});

test('anonymous visitors are sent to log in; members and liaisons get 403 on every admin page', async () => {
  const anon = await request(t.app).get('/admin/users');
  expect(anon.status).toBe(303);
  expect(anon.headers.location).toBe('/login?next=%2Fadmin%2Fusers');
  for (const role of ['member', 'liaison'] as const) {
    const user = await makeUser({ role });
    const agent = newAgent(t.app);
    await login(agent, user.email, user.password);
    for (const path of ['/admin', '/admin/users', '/admin/members', '/admin/audit', `/admin/users/${user.id}`, '/admin/fair/meetings', '/admin/fair/meetings/grid', '/admin/fair/meetings/grid.csv']) {
      const res = await agent.get(path);
      expect(res.status).toBe(403);
      expect(res.text).toContain('Not allowed');
    }
    const post = await postForm(agent, `/admin/users/${user.id}/liaison`, { member: 'DE', agency: 'Self-appointed' }, '/account');
    expect(post.status).toBe(403);
    expect((await User.findById(user.id).lean())?.role).toBe(role);
  }
});

test('the dashboard shows figures and links to every organizer section', async () => {
  await makeUser({ verified: false, member: 'KR' });
  const res = await organizer.get('/admin');
  expect(res.status).toBe(200);
  for (const href of ['/admin/fair', '/admin/practices', '/admin/board', '/admin/announcements', '/admin/users', '/admin/members', '/admin/audit']) {
    expect(res.text).toContain(`href="${href}"`);
  }
  expect(res.text).toContain('accounts waiting for e-mail confirmation');
  expect(res.text).toContain('Users by role');
});

test('the dashboard counts are kept until an account or a company changes', async () => {
  const admin = createAccountAdministration({ mailer: t.ctx.mailer, clock: t.ctx.now, baseUrl: t.ctx.config.baseUrl });
  const organizerRecord = await User.findOne({ email: ORGANIZER.email }).lean();
  const figures = () => admin.dashboardFigures({ id: String(organizerRecord!._id), role: 'organizer' } as Actor, 'en');
  const before = await figures();
  const person = await makeUser({ member: 'EE' });
  const afterAccount = await figures();
  expect(afterAccount.companies.total).toBe(before.companies.total + 1);
  expect(afterAccount.companiesByMember.find((m) => m.code === 'EE')?.count).toBe((before.companiesByMember.find((m) => m.code === 'EE')?.count ?? 0) + 1);
  // A company write alone (no account write) is seen too.
  await Company.updateOne({ _id: person.companyId }, { $set: { unlisted: true } });
  expect((await figures()).companies.total).toBe(before.companies.total);
});

test('users can be searched by name or e-mail, role and member, page by page', async () => {
  const a = await makeUser({ name: 'Searchable Ngozi', member: 'LT' });
  await makeUser({ name: 'Other Person', member: 'LT' });
  const byName = await organizer.get('/admin/users?q=searchable');
  expect(byName.text).toContain('Searchable Ngozi');
  expect(byName.text).not.toContain('Other Person');
  const byEmail = await organizer.get(`/admin/users?q=${encodeURIComponent(a.email.slice(0, 12))}`);
  expect(byEmail.text).toContain('Searchable Ngozi');
  const byMember = await organizer.get('/admin/users?member=LT&role=member');
  expect(byMember.text).toContain('Searchable Ngozi');
  expect(byMember.text).toContain('Other Person');
  // Regex characters are taken literally; odd filters are ignored, not errors.
  expect((await organizer.get('/admin/users?q=.*%5B')).status).toBe(200);
  expect((await organizer.get('/admin/users?role=emperor&page=-3')).status).toBe(200);
  for (let i = 0; i < 26; i++) await makeUser({ name: `Paged ${i}`, member: 'LV' });
  const first = await organizer.get('/admin/users?member=LV');
  expect(first.text).toContain('Page 1 of 2');
  expect(first.text).toContain('href="/admin/users?member=LV&amp;page=2"');
});

test('designating a liaison: role, member, agency and languages set, mailed, audited, listed; then revoked', async () => {
  const person = await makeUser({ member: 'SE', name: 'Astrid L.', language: 'zh-CN' });
  const bad = await postForm(organizer, `/admin/users/${person.id}/liaison`, { member: 'ZZ', agency: '' }, `/admin/users/${person.id}`);
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('id="f-agency-error"');

  const res = await postForm(organizer, `/admin/users/${person.id}/liaison`, { member: 'SE', agency: 'Tillväxtverket', languages: 'Svenska, English' }, `/admin/users/${person.id}`);
  expect(res.status).toBe(303);
  expect(await User.findById(person.id).lean()).toMatchObject({ role: 'liaison', member: 'SE', agency: 'Tillväxtverket', languages: ['Svenska', 'English'] });
  const mail = await t.smtp.waitFor((m) => m.to.includes(person.email) && m.subject.includes('联络官'));
  expect(mail.text).toContain('瑞典');
  expect(mail.text).toContain('http://portal.test/');
  const entry = await AuditEntry.findOne({ action: 'liaison.designate', targetId: person.id }).lean();
  expect(entry).toMatchObject({ actorName: 'Organizer', targetType: 'User' });
  expect(entry?.before).toMatchObject({ role: 'member' });
  expect(entry?.after).toMatchObject({ role: 'liaison', member: 'SE', agency: 'Tillväxtverket' });
  const directory = await request(t.app).get('/members/SE');
  expect(directory.text).toContain('Astrid L.');
  expect(directory.text).toContain('Tillväxtverket');

  const organizerRecord = await User.findOne({ email: ORGANIZER.email }).lean();
  expect((await postForm(organizer, `/admin/users/${organizerRecord!._id}/liaison`, { member: 'SE', agency: 'x' }, '/admin')).status).toBe(409);

  const revoke = await postForm(organizer, `/admin/users/${person.id}/liaison/revoke`, {}, `/admin/users/${person.id}`);
  expect(revoke.status).toBe(303);
  expect(await User.findById(person.id).lean()).toMatchObject({ role: 'member', member: 'SE' });
  expect(await AuditEntry.countDocuments({ action: 'liaison.revoke', targetId: person.id })).toBe(1);
  expect((await request(t.app).get('/members/SE')).text).not.toContain('Tillväxtverket');
});

test('a suspended user is logged out everywhere and cannot log in until reactivated', async () => {
  const person = await makeUser({ member: 'PT' });
  const session = newAgent(t.app);
  await login(session, person.email, person.password);
  expect((await session.get('/account')).status).toBe(200);

  const res = await postForm(organizer, `/admin/users/${person.id}/suspend`, { note: 'Spam on the board' }, `/admin/users/${person.id}`);
  expect(res.status).toBe(303);
  expect((await session.get('/account')).status).toBe(303);
  const again = await postForm(newAgent(t.app), '/login', { email: person.email, password: person.password });
  expect(again.status).toBe(403);
  expect(again.text).toContain('suspended');
  const mail = await t.smtp.waitFor((m) => m.to.includes(person.email) && /suspended/.test(m.subject));
  expect(mail.text).toContain('Spam on the board');
  expect(await AuditEntry.findOne({ action: 'user.suspend', targetId: person.id }).lean()).toMatchObject({ note: 'Spam on the board' });
  expect((await postForm(organizer, `/admin/users/${person.id}/suspend`, {}, '/admin')).status).toBe(409);

  expect((await postForm(organizer, `/admin/users/${person.id}/reactivate`, {}, '/admin')).status).toBe(303);
  await login(newAgent(t.app), person.email, person.password);
  await t.smtp.waitFor((m) => m.to.includes(person.email) && /active again/.test(m.subject));
});

test('the organizer cannot suspend their own account; unknown and forged ids are 404', async () => {
  const me = await User.findOne({ email: ORGANIZER.email }).lean();
  expect((await postForm(organizer, `/admin/users/${me!._id}/suspend`, {}, '/admin')).status).toBe(409);
  expect((await organizer.get('/admin/users/0123456789abcdef01234567')).status).toBe(404);
  expect((await organizer.get('/admin/users/nonsense')).status).toBe(404);
  expect((await postForm(organizer, '/admin/users/nonsense/suspend', {}, '/admin')).status).toBe(404);
});

test('ASEM members: add a partner (code unique), correct names; both audited and shown in the directory', async () => {
  const page = await organizer.get('/admin/members');
  expect(page.status).toBe(200);
  const bad = await postForm(organizer, '/admin/members', { code: 'D', nameEn: '', nameZh: '挪威', region: 'Europe', kind: 'country' }, '/admin/members');
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('value="挪威"');
  const dup = await postForm(organizer, '/admin/members', { code: 'de', nameEn: 'Germany again', nameZh: '德国', region: 'Europe', kind: 'country' }, '/admin/members');
  expect(dup.status).toBe(422);
  expect(dup.text).toContain('A member with this code exists already.');

  const add = await postForm(organizer, '/admin/members', { code: 'no', nameEn: 'Norway', nameZh: '挪威', region: 'Europe', kind: 'country' }, '/admin/members');
  expect(add.status).toBe(303);
  expect(await AsemMember.findOne({ code: 'NO' }).lean()).toMatchObject({ name: { en: 'Norway', 'zh-CN': '挪威' }, region: 'Europe' });
  expect((await request(t.app).get('/members')).text).toContain('Norway');
  expect((await request(t.app).get('/register')).text).toContain('<option value="NO">Norway</option>');

  const rename = await postForm(organizer, '/admin/members/NO', { nameEn: 'Kingdom of Norway', nameZh: '挪威王国' }, '/admin/members/NO');
  expect(rename.status).toBe(303);
  expect((await request(t.app).get('/members/NO?lang=zh-CN')).text).toContain('挪威王国');
  expect(await AuditEntry.countDocuments({ action: mongoose.trusted({ $in: ['member.add', 'member.rename'] }), targetId: 'NO' })).toBe(2);
  expect((await organizer.get('/admin/members/QQ')).status).toBe(404);
});

test('the audit log lists who did what and when, with before and after, filtered and paginated', async () => {
  const res = await organizer.get('/admin/audit');
  expect(res.status).toBe(200);
  expect(res.text).toContain('Organizer');
  expect(res.text).toContain('liaison.designate');
  expect(res.text).toContain('Before and after');
  const filtered = await organizer.get('/admin/audit?action=member');
  expect(filtered.text).toContain('member.add');
  expect(filtered.text).not.toContain('<code>user.suspend</code>');
});

