/**
 * Organizer announcements: sending to all liaisons or to chosen members, e-mail in each liaison's
 * language, acknowledgements, the organizer's who-has-and-who-has-not view, and reminders.
 */
import { Types, trusted } from 'mongoose';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { linkIn } from '../../helpers/smtp';
import { Announcement, AnnouncementReceipt } from '../../../src/modules/messages/model';
import { AuditEntry } from '../../../src/modules/audit/model';

// A slow shared machine: password hashing and several logins per test.
jest.setTimeout(30_000);

let t: TestApp;
let organizer: Agent;
let liaisonDE: MadeUser, liaisonDE2: MadeUser, liaisonCN: MadeUser, liaisonFR: MadeUser, member: MadeUser;

beforeAll(async () => {
  t = await createTestApp();
  [liaisonDE, liaisonDE2, liaisonCN, liaisonFR, member] = await Promise.all([
    makeUser({ role: 'liaison', member: 'DE', name: 'Greta Liaison' }),
    makeUser({ role: 'liaison', member: 'DE', name: 'Hans Liaison' }),
    makeUser({ role: 'liaison', member: 'CN', name: 'Wang Liaison', language: 'zh-CN' }),
    makeUser({ role: 'liaison', member: 'FR', name: 'Claire Liaison' }),
    makeUser({ role: 'member', member: 'DE' }),
  ]);
  organizer = newAgent(t.app);
  await login(organizer, ORGANIZER.email, ORGANIZER.password);
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.ctx.mailer.drained(); // nothing of an earlier test arrives after the clear
  t.smtp.clear();
});

async function as(user: MadeUser): Promise<Agent> {
  const agent = newAgent(t.app);
  await login(agent, user.email, user.password);
  return agent;
}

function announce(data: Record<string, string | string[]>) {
  return postForm(organizer, '/admin/announcements/new', data, '/admin/announcements/new');
}

function idFrom(location: string | undefined): string {
  const m = /^\/admin\/announcements\/([a-f0-9]{24})$/.exec(location ?? '');
  if (!m) throw new Error(`unexpected location ${location}`);
  return m[1]!;
}

test('an announcement to all liaisons: e-mails in each language, acknowledgements, reminders to the others only', async () => {
  const res = await announce({ subject: 'Hall opening times', body: 'The ASEM hall opens at **9:00** every day.', audience: 'all' });
  expect(res.status).toBe(303);
  const id = idFrom(res.headers.location);

  // Every liaison, and only liaisons, is mailed in their own language.
  const cn = await t.smtp.waitFor((m) => m.to.includes(liaisonCN.email));
  expect(cn.subject).toBe('公告：Hall opening times');
  const de = await t.smtp.waitFor((m) => m.to.includes(liaisonDE.email));
  expect(de.subject).toBe('Announcement: Hall opening times');
  expect(linkIn(de, `/messages/announcements/${id}`)).toBe(`http://portal.test/messages/announcements/${id}`);
  await t.smtp.waitFor((m) => m.to.includes(liaisonFR.email));
  await t.smtp.waitFor((m) => m.to.includes(liaisonDE2.email));
  await t.ctx.mailer.drained();
  expect(t.smtp.to(member.email)).toHaveLength(0);
  expect(t.smtp.to(ORGANIZER.email)).toHaveLength(0);
  expect(await AuditEntry.countDocuments({ action: 'announcement.send', targetId: id })).toBe(1);

  // The liaison sees it, counted in the header badge, and acknowledges it.
  const agentDE = await as(liaisonDE);
  const inbox = await agentDE.get('/messages');
  expect(inbox.text).toContain('Hall opening times');
  expect(inbox.text).toMatch(/href="\/messages"[^>]*>[^<]*<span class="badge"[^>]*>1</);
  const page = await agentDE.get(`/messages/announcements/${id}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<strong>9:00</strong>');
  expect(page.text).toContain(`/messages/announcements/${id}/acknowledge`);
  const ack = await postForm(agentDE, `/messages/announcements/${id}/acknowledge`, {}, `/messages/announcements/${id}`);
  expect(ack.status).toBe(303);
  // Acknowledging twice changes nothing.
  await postForm(agentDE, `/messages/announcements/${id}/acknowledge`, {}, '/messages/new');
  expect((await Announcement.findById(id).lean())!.acknowledgedCount).toBe(1);
  const after = await agentDE.get(`/messages/announcements/${id}`);
  expect(after.text).toContain('Acknowledged');
  expect(after.text).not.toContain(`/messages/announcements/${id}/acknowledge`);
  expect((await agentDE.get('/messages')).text).not.toMatch(/href="\/messages"[^>]*>[^<]*<span class="badge"/);

  // The organizer sees who has acknowledged and who has not.
  const status = await organizer.get(`/admin/announcements/${id}`);
  expect(status.status).toBe(200);
  expect(status.text).toContain('1 of 4 acknowledged');
  const [pendingPart, ackPart] = status.text.split('id="ack-heading"');
  expect(ackPart).toContain('Greta Liaison');
  expect(pendingPart).toContain('Hans Liaison');
  expect(pendingPart).toContain('Wang Liaison');
  expect(pendingPart).toContain('Claire Liaison');
  expect(pendingPart).not.toContain('Greta Liaison');
  expect(status.text).not.toContain(liaisonDE.email);
  const list = await organizer.get('/admin/announcements');
  expect(list.text).toContain('Hall opening times');
  expect(list.text).toContain('1 of 4 acknowledged');

  // Remind the others: only the three who have not acknowledged are mailed.
  await t.ctx.mailer.drained();
  t.smtp.clear();
  const remind = await postForm(organizer, `/admin/announcements/${id}/remind`, {}, `/admin/announcements/${id}`);
  expect(remind.status).toBe(303);
  for (const l of [liaisonDE2, liaisonFR]) expect((await t.smtp.waitFor((m) => m.to.includes(l.email))).subject).toBe('Reminder — please acknowledge: Hall opening times');
  expect((await t.smtp.waitFor((m) => m.to.includes(liaisonCN.email))).subject).toContain('提醒');
  await t.ctx.mailer.drained();
  expect(t.smtp.to(liaisonDE.email)).toHaveLength(0);
  expect(t.smtp.mails).toHaveLength(3);
  const flashPage = await organizer.get(`/admin/announcements/${id}`);
  expect(flashPage.text).toContain('Reminders were sent to 3 liaisons.');
  expect(await AnnouncementReceipt.countDocuments({ announcement: id, remindedAt: trusted({ $ne: null }) })).toBe(3);
});

test('an announcement to the liaisons of chosen members reaches only them', async () => {
  const res = await announce({ subject: 'Quota for DE and CN', body: 'Your quota is 5 booths.', audience: 'members', members: ['DE', 'CN'] });
  expect(res.status).toBe(303);
  const id = idFrom(res.headers.location);
  await t.smtp.waitFor((m) => m.to.includes(liaisonDE.email));
  await t.smtp.waitFor((m) => m.to.includes(liaisonDE2.email));
  await t.smtp.waitFor((m) => m.to.includes(liaisonCN.email));
  await t.ctx.mailer.drained();
  expect(t.smtp.to(liaisonFR.email)).toHaveLength(0);
  expect(await AnnouncementReceipt.countDocuments({ announcement: id })).toBe(3);
  // A liaison outside the audience cannot read it or acknowledge it.
  const agentFR = await as(liaisonFR);
  expect((await agentFR.get(`/messages/announcements/${id}`)).status).toBe(404);
  expect((await postForm(agentFR, `/messages/announcements/${id}/acknowledge`, {}, '/messages/new')).status).toBe(404);
  expect((await agentFR.get(`/messages/announcements/${new Types.ObjectId().toHexString()}`)).status).toBe(404);
});

test('bad announcements are refused with the input kept and nothing stored', async () => {
  const before = await Announcement.countDocuments({});
  const noMembers = await announce({ subject: 'To whom?', body: 'Body', audience: 'members' });
  expect(noMembers.status).toBe(422);
  expect(noMembers.text).toContain('Choose at least one ASEM member');
  expect(noMembers.text).toContain('To whom?');
  const nobody = await announce({ subject: 'Nobody', body: 'Body', audience: 'members', members: ['NZ'] });
  expect(nobody.status).toBe(422);
  expect(nobody.text).toContain('No liaison official would receive this announcement.');
  const script = await announce({ subject: 'XSS', body: '<script>alert(1)</script>', audience: 'all' });
  expect(script.status).toBe(422);
  expect(script.text).toContain('Scripts, HTML tags');
  const empty = await announce({ subject: '', body: '', audience: 'all' });
  expect(empty.status).toBe(422);
  expect(await Announcement.countDocuments({})).toBe(before);
  await t.ctx.mailer.drained();
  expect(t.smtp.mails).toHaveLength(0);
});

test('only the organizer may send announcements or see their status', async () => {
  const agent = await as(liaisonDE);
  expect((await agent.get('/admin/announcements')).status).toBe(403);
  expect((await agent.get('/admin/announcements/new')).status).toBe(403);
  const res = await postForm(agent, '/admin/announcements/new', { subject: 'S', body: 'B', audience: 'all' }, '/messages/new');
  expect(res.status).toBe(403);
  const anon = await newAgent(t.app).get('/admin/announcements');
  expect(anon.status).toBe(303);
  expect((await organizer.get(`/admin/announcements/${new Types.ObjectId().toHexString()}`)).status).toBe(404);
  expect((await organizer.get('/admin/announcements/zzz')).status).toBe(404);
});
