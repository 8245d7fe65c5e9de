/**
 * Officials are invited, not registered: the organizer invites by e-mail (in the language chosen
 * for the official), the link works once for 7 days, the official sets name and password, is signed
 * in and has no company; pending invitations can be resent and revoked. Officials never appear as
 * companies (directory lists and counts, company pages, the organizer's figures); designating an
 * existing account sets its company aside; liaisons with placeholder companies are migrated at
 * start-up, once, with audit entries. Bad links all look alike; accepting is rate-limited.
 */
import request from 'supertest';
import mongoose from 'mongoose';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { csrfFrom, login, newAgent, postForm, type Agent } from '../../helpers/http';
import { makeUser } from '../../helpers/factories';
import { linkIn } from '../../helpers/smtp';
import { Company, Invitation, User } from '../../../src/modules/accounts/model';
import { AuditEntry } from '../../../src/modules/audit/model';
import { accountsModule } from '../../../src/modules/accounts/module';

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
afterEach(() => t.setNow(null));

const PASSWORD = 'lantern-harbour-orchid-7';

async function invite(data: Record<string, string>) {
  return postForm(organizer, '/admin/officials', { language: 'en', ...data }, '/admin/officials');
}

/** The path and query of the invitation link mailed to this address (the newest one). */
async function invitationLink(email: string, count = 1): Promise<string> {
  await t.mailSettled();
  const mails = t.smtp.to(email).filter((m) => m.text.includes('/invitation?token='));
  expect(mails.length).toBe(count);
  const url = new URL(linkIn(mails[mails.length - 1]!, '/invitation'));
  return url.pathname + url.search;
}

async function accept(agent: Agent, link: string, data: Record<string, string>) {
  const page = await agent.get(link);
  expect(page.status).toBe(200);
  const token = new URL(link, 'http://portal.test').searchParams.get('token')!;
  return agent.post('/invitation').type('form').send({ token, _csrf: csrfFrom(page.text), ...data });
}

test('only the organizer invites; bad input is shown again with the input kept', async () => {
  const member = await makeUser({ member: 'DE' });
  const agent = newAgent(t.app);
  await login(agent, member.email, member.password);
  expect((await agent.get('/admin/officials')).status).toBe(403);
  expect((await postForm(agent, '/admin/officials', { email: 'x@example.org', member: 'DE', language: 'en' }, '/account')).status).toBe(403);

  const bad = await invite({ email: 'not-an-address', member: 'ZZ', name: 'Kept Name' });
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('id="f-email-error"');
  expect(bad.text).toContain('value="Kept Name"');
  const unknownMember = await invite({ email: 'someone@example.gov', member: 'ZZ' });
  expect(unknownMember.status).toBe(422);
  expect(unknownMember.text).toContain('id="f-member-error"');
  expect(await Invitation.countDocuments({})).toBe(0);
});

test('invited in Chinese, the official sets name and password, is signed in, and has no company', async () => {
  const companiesBefore = await Company.countDocuments({});
  const email = 'wang.fang@miit.example.gov.cn';
  const sent = await invite({ email, member: 'CN', title: '处长', agency: '工业和信息化部', language: 'zh-CN' });
  expect(sent.status).toBe(303);
  const pending = await organizer.get('/admin/officials');
  expect(pending.text).toContain(email);
  expect(await AuditEntry.countDocuments({ action: 'official.invite' })).toBe(1);

  const mail = await t.smtp.waitFor((m) => m.to.includes(email));
  expect(mail.subject).toContain('联络官');
  expect(mail.text).toContain('中国');
  expect(mail.text).toContain('7 天');
  const link = await invitationLink(email);
  // Only the hash of the token is stored.
  const token = new URL(link, 'http://portal.test').searchParams.get('token')!;
  expect(JSON.stringify(await Invitation.findOne({ email }).lean())).not.toContain(token);

  const official = newAgent(t.app);
  const page = await official.get(link);
  expect(page.status).toBe(200);
  expect(page.text).toContain('接受邀请');
  // A weak password: the form again, the name kept, nothing created.
  const weak = await accept(official, link, { name: '王芳', password: 'short' });
  expect(weak.status).toBe(422);
  expect(weak.text).toContain('value="王芳"');
  expect(await User.exists({ email })).toBeNull();

  const done = await accept(official, link, { name: '王芳', password: PASSWORD });
  expect(done.status).toBe(303);
  expect(done.headers.location).toBe('/liaison/requests');
  const account = await official.get('/account');
  expect(account.status).toBe(200);
  expect(account.text).toContain('王芳');
  const user = await User.findOne({ email }).lean();
  expect(user).toMatchObject({ role: 'liaison', member: 'CN', agency: '工业和信息化部', title: '处长', language: 'zh-CN', name: '王芳' });
  expect(user?.emailVerifiedAt).toBeTruthy();
  expect(user?.company).toBeUndefined();
  expect(await Company.countDocuments({})).toBe(companiesBefore);
  expect(await AuditEntry.countDocuments({ action: 'official.accept', targetId: String(user!._id) })).toBe(1);

  // Single use: the link is now like any bad link, and the invitation is no longer pending.
  const again = await newAgent(t.app).get(link);
  expect(again.status).toBe(400);
  expect((await organizer.get('/admin/officials')).text).not.toContain(email);
  // The official is listed as a liaison of the member, never as a company.
  const directory = await request(t.app).get('/members/CN');
  expect(directory.text).toContain('王芳');
});

test('a link is valid for 7 days; resend replaces it; revoke ends it; every bad link looks the same', async () => {
  const email = 'k.tanaka@meti.example.go.jp';
  expect((await invite({ email, member: 'JP' })).status).toBe(303);
  const first = await invitationLink(email);
  // A second invitation to the same address is refused while one is pending.
  const dup = await invite({ email, member: 'JP' });
  expect(dup.status).toBe(422);
  expect(dup.text).toContain('pending invitation');

  const inv = await Invitation.findOne({ email }).lean();
  t.setNow(new Date(Date.now() + 7 * 24 * 3600 * 1000 + 60_000));
  const expired = await newAgent(t.app).get(first);
  expect(expired.status).toBe(400);
  expect((await organizer.get('/admin/officials')).text).toContain('Expired');
  // Resent (a new 7 days): the old link stays dead, the new one works.
  expect((await postForm(organizer, `/admin/officials/${inv!._id}/resend`, {}, '/admin/officials')).status).toBe(303);
  const second = await invitationLink(email, 2);
  expect(second).not.toBe(first);
  expect((await newAgent(t.app).get(first)).status).toBe(400);
  expect((await newAgent(t.app).get(second)).status).toBe(200);
  expect(await AuditEntry.countDocuments({ action: 'official.inviteResend', targetId: String(inv!._id) })).toBe(1);

  expect((await postForm(organizer, `/admin/officials/${inv!._id}/revoke`, {}, '/admin/officials')).status).toBe(303);
  const revoked = await newAgent(t.app).get(second);
  expect(revoked.status).toBe(400);
  expect(await AuditEntry.countDocuments({ action: 'official.inviteRevoke', targetId: String(inv!._id) })).toBe(1);
  // Revoked or accepted invitations cannot be resent or revoked again.
  expect((await postForm(organizer, `/admin/officials/${inv!._id}/resend`, {}, '/admin/officials')).status).toBe(409);
  expect((await postForm(organizer, `/admin/officials/${new mongoose.Types.ObjectId()}/revoke`, {}, '/admin/officials')).status).toBe(404);

  // Unknown, malformed, expired and revoked links: one answer, the same page.
  const unknown = await newAgent(t.app).get('/invitation?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  const malformed = await newAgent(t.app).get('/invitation?token=%24gt');
  for (const res of [unknown, malformed, revoked]) {
    expect(res.status).toBe(400);
    expect(res.text).toContain('This invitation cannot be used');
  }
  // A post with a dead token creates nothing.
  const agent = newAgent(t.app);
  const page = await agent.get('/login');
  const post = await agent.post('/invitation').type('form').send({ token: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', name: 'Nobody', password: PASSWORD, _csrf: csrfFrom(page.text) });
  expect(post.status).toBe(400);
  expect(await User.exists({ name: 'Nobody' })).toBeNull();
});

test('an address that already has an account is not invited: the organizer turns that account into an official', async () => {
  const person = await makeUser({ member: 'FR', name: 'Claire Dubois', company: { name: 'Placeholder SARL' } });
  const res = await invite({ email: person.email, member: 'FR' });
  expect(res.status).toBe(422);
  expect(res.text).toContain('already has an account');
  expect(await Invitation.countDocuments({ email: person.email })).toBe(0);

  expect((await request(t.app).get('/members/FR')).text).toContain('Placeholder SARL');
  const designate = await postForm(organizer, `/admin/users/${person.id}/liaison`, { member: 'FR', agency: 'Bpifrance' }, `/admin/users/${person.id}`);
  expect(designate.status).toBe(303);
  // The company is set aside: not listed, not counted, no public page; the account has none.
  expect(await User.findById(person.id).lean()).toMatchObject({ role: 'liaison' });
  expect((await User.findById(person.id).lean())?.company).toBeUndefined();
  expect(await Company.findById(person.companyId).lean()).toMatchObject({ unlisted: true });
  const fr = await request(t.app).get('/members/FR');
  expect(fr.text).not.toContain('Placeholder SARL');
  expect(fr.text).toContain('Claire Dubois');
  expect((await request(t.app).get(`/companies/${person.companyId}`)).status).toBe(404);
  const own = newAgent(t.app);
  await login(own, person.email, person.password);
  expect((await own.get(`/companies/${person.companyId}`)).status).toBe(404);
  expect(await AuditEntry.countDocuments({ action: 'company.unlist', targetId: person.companyId! })).toBe(1);
  // The organizer still sees the set-aside company on the person's page, with revoke offered.
  const detail = await organizer.get(`/admin/users/${person.id}`);
  expect(detail.text).toContain('Placeholder SARL');
  expect(detail.text).toContain('set aside');
  expect(detail.text).toContain(`action="/admin/users/${person.id}/liaison/revoke"`);

  // Revoked: an SME representative again, with the company listed again.
  expect((await postForm(organizer, `/admin/users/${person.id}/liaison/revoke`, {}, `/admin/users/${person.id}`)).status).toBe(303);
  expect(String((await User.findById(person.id).lean())?.company)).toBe(person.companyId);
  expect((await request(t.app).get('/members/FR')).text).toContain('Placeholder SARL');

  // An invited official has no company to return to: revoking is refused, nothing changes.
  const invited = await makeUser({ role: 'liaison', member: 'FR' });
  expect((await organizer.get(`/admin/users/${invited.id}`)).text).not.toContain(`action="/admin/users/${invited.id}/liaison/revoke"`);
  expect((await postForm(organizer, `/admin/users/${invited.id}/liaison/revoke`, {}, `/admin/users/${invited.id}`)).status).toBe(409);
  expect(await User.findById(invited.id).lean()).toMatchObject({ role: 'liaison' });
});

test('start-up migration: liaisons with placeholder companies are detached and unlisted, once, in the audit log', async () => {
  // As before: a liaison who registered a company, verified, listed under the member.
  const old = await makeUser({ member: 'PL', name: 'Jan Kowalski', company: { name: 'Ministry Placeholder Sp. z o.o.' } });
  await User.updateOne({ _id: old.id }, { $set: { role: 'liaison', agency: 'PARP' } });
  const sme = await makeUser({ member: 'PL', company: { name: 'Gdańsk Amber Works' } });
  const before = await request(t.app).get('/members');
  expect(before.text).toMatch(/Poland<\/a>\s*<span class="meta">2 companies<\/span>/);
  const figuresBefore = await organizer.get('/admin');

  await accountsModule.onStart!(t.ctx);
  const company = await Company.findById(old.companyId).lean();
  expect(company).toMatchObject({ unlisted: true });
  expect((await User.findById(old.id).lean())?.company).toBeUndefined();
  expect(await Company.findById(sme.companyId).lean()).toMatchObject({ listed: true, unlisted: false });
  const entries = await AuditEntry.find({ targetId: mongoose.trusted({ $in: [old.id, old.companyId] }) }).lean();
  expect(entries.map((e) => e.action).sort()).toEqual(['company.unlist', 'official.detach']);
  expect(entries.every((e) => e.actor === null)).toBe(true);

  // Idempotent: a second start changes nothing and writes nothing.
  await accountsModule.onStart!(t.ctx);
  expect(await AuditEntry.countDocuments({ targetId: mongoose.trusted({ $in: [old.id, old.companyId] }) })).toBe(2);

  // Gone from the directory lists and counts, the company page and the organizer's figures.
  const after = await request(t.app).get('/members');
  expect(after.text).toMatch(/Poland<\/a>\s*<span class="meta">1 company<\/span>/);
  const pl = await request(t.app).get('/members/PL');
  expect(pl.text).not.toContain('Ministry Placeholder');
  expect(pl.text).toContain('Gdańsk Amber Works');
  expect((await request(t.app).get(`/companies/${old.companyId}`)).status).toBe(404);
  // The organizer's SME figures: listed companies and registered companies both lose it.
  const figures = (html: string) => {
    const m = /(\d+)<\/p><p>companies listed in the directory \(of (\d+) registered\)/.exec(html);
    return m ? [Number(m[1]), Number(m[2])] : [];
  };
  const [listedBefore, totalBefore] = figures(figuresBefore.text);
  expect(figures((await organizer.get('/admin')).text)).toEqual([listedBefore! - 1, totalBefore! - 1]);
  // A later e-mail verification or password reset does not list it again.
  await User.updateOne({ _id: old.id }, { $unset: { emailVerifiedAt: 1 } });
  const reset = await postForm(newAgent(t.app), '/forgot-password', { email: old.email }, '/forgot-password');
  expect(reset.status).toBe(200);
  const resetMail = await t.smtp.waitFor((m) => m.to.includes(old.email) && m.text.includes('/reset-password?token='));
  const resetUrl = new URL(linkIn(resetMail, '/reset-password'));
  const agent = newAgent(t.app);
  const resetPage = await agent.get(resetUrl.pathname + resetUrl.search);
  await agent.post('/reset-password').type('form').send({ token: resetUrl.searchParams.get('token'), password: PASSWORD, _csrf: csrfFrom(resetPage.text) });
  expect(await Company.findById(old.companyId).lean()).toMatchObject({ unlisted: true });
  expect((await request(t.app).get('/members/PL')).text).not.toContain('Ministry Placeholder');
});
