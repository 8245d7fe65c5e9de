/**
 * Continuity between editions over HTTP: a new edition starts from the last one's hall and quotas
 * (bulk copy, idempotent, no requests copied); last edition's exhibitors are invited once per
 * company even when two organizers press at once, each in its language (captured over SMTP); a
 * returning exhibitor's form opens pre-filled; outcome reports after the fair with their rules;
 * a consented report becomes a practice draft once; the figures count the reports.
 */
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { postForm, type Agent } from '../../helpers/http';
import { Booth, BoothAssignment, BoothRequest, FairEdition, QuotaCounter } from '../../../src/modules/fair';
import type { FairEditionDoc, RequestStatus } from '../../../src/modules/fair/model';
import { copyHall } from '../../../src/modules/fair/continuity';
import { OutcomeReport, ReturnInvitation } from '../../../src/modules/fair/continuity-model';
import { Practice } from '../../../src/modules/practices';
import { AuditEntry } from '../../../src/modules/audit/model';
import { AsemMember } from '../../../src/modules/members/model';
import { User } from '../../../src/modules/accounts/model';
import type { Actor } from '../../../src/kernel';
import { agentFor, organizerAgent, seededEdition } from './helpers';

jest.setTimeout(90_000);

let t: TestApp;
let last: FairEditionDoc;
let next: FairEditionDoc;
let org: Agent;
let returning: { user: MadeUser; agent: Agent };
let other: { user: MadeUser; agent: Agent };
let rejected: { user: MadeUser; agent: Agent };

const DAY = 86_400_000;

async function exhibited(edition: FairEditionDoc, user: MadeUser, status: RequestStatus, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await BoothRequest.create({
    edition: edition._id,
    company: new Types.ObjectId(user.companyId!),
    companyName: `${user.name} Ltd`,
    member: user.member!,
    requester: new Types.ObjectId(user.id),
    contactName: 'Wang Fang',
    phone: '+86 20 5555 0101',
    products: 'Lacquerware and silk scarves',
    boothCount: 2,
    wishedCodes: ['A01', 'A02'],
    specialNeeds: 'A table for samples',
    attachment: { storedName: 'x'.repeat(32), originalName: 'brochure.pdf', size: 10, kind: 'pdf', mime: 'application/pdf' },
    status,
    active: ['approved', 'confirmed'].includes(status),
    submittedAt: new Date(),
    ...extra,
  });
  return String(r._id);
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 16);
}

beforeAll(async () => {
  t = await createTestApp();
  last = await seededEdition();
  org = await organizerAgent(t.app);
  await FairEdition.updateOne({ _id: last._id }, { $set: { quotaOverrides: [{ member: 'CN', quota: 5 }], defaultQuota: 2 } });
  // A booth of the old hall that the new one will not have, to check the wished codes carried over.
  await Booth.create({ edition: last._id, code: 'Z99', x: 80, y: 80, width: 3, depth: 3, features: ['corner'] });
  const mk = async (language: 'en' | 'zh-CN', member: string) => {
    const user = await makeUser({ role: 'member', member, language });
    return { user, agent: await agentFor(t.app, user) };
  };
  returning = await mk('zh-CN', 'CN');
  other = await mk('en', 'DE');
  rejected = await mk('en', 'FR');
  await exhibited(last, returning.user, 'confirmed', { wishedCodes: ['A01', 'Z99'] });
  await exhibited(last, other.user, 'approved');
  await exhibited(last, rejected.user, 'rejected');
  // An exhibitor whose address was never verified: nobody to write to, so not claimed either.
  await exhibited(last, await makeUser({ role: 'member', member: 'JP', verified: false }), 'confirmed');
  last = (await FairEdition.findById(last._id).lean<FairEditionDoc>())!;
});
afterAll(async () => {
  await t.close();
});
afterEach(() => t.setNow(null));

test('a new edition starts from the last one: every booth and the quotas, nothing of its requests; copying again adds nothing', async () => {
  const form = await org.get('/admin/fair/editions/new');
  expect(form.status).toBe(200);
  // "Start from" is on by default, and the quotas are those of the last edition, ready to adjust.
  expect(form.text).toMatch(new RegExp(`name="copyFrom" value="${String(last._id)}"[^>]*checked`));
  expect(form.text).toContain('CN=5');
  expect(form.text).toMatch(/id="f-defaultQuota"[^>]*value="2"/);

  const now = Date.now();
  const year = last.year + 1;
  const res = await postForm(
    org,
    '/admin/fair/editions/new',
    {
      nameEn: `CISMEF ${year}`,
      nameZh: `${year}年中博会`,
      year,
      startsOn: `${year}-09-15`,
      endsOn: `${year}-09-18`,
      cityEn: 'Guangzhou',
      cityZh: '广州',
      venueEn: 'Canton Fair Complex',
      venueZh: '广交会展馆',
      hallEn: 'Hall for ASEM SMEs',
      hallZh: '亚欧中小企业合作与交流馆',
      requestOpensAt: iso(new Date(now + 30 * DAY)),
      requestClosesAt: `${year}-08-01T00:00`,
      status: 'open',
      defaultQuota: 2,
      quotaOverrides: 'CN=5',
      copyFrom: String(last._id),
    },
    '/admin/fair/editions/new',
  );
  expect(res.status).toBe(303);
  next = (await FairEdition.findOne({ year }).lean<FairEditionDoc>())!;
  expect(String(next.copiedFrom)).toBe(String(last._id));
  expect(next.defaultQuota).toBe(2);
  expect(next.quotaOverrides).toEqual([{ member: 'CN', quota: 5 }]);

  const strip = (b: { code: string; x: number; y: number; width: number; depth: number; features: string[] }) => ({ code: b.code, x: b.x, y: b.y, width: b.width, depth: b.depth, features: [...b.features] });
  const oldHall = (await Booth.find({ edition: last._id }).sort({ code: 1 }).lean()).map(strip);
  const newHall = (await Booth.find({ edition: next._id }).sort({ code: 1 }).lean()).map(strip);
  expect(newHall).toEqual(oldHall);
  expect(newHall.length).toBe(61);
  expect(await BoothRequest.countDocuments({ edition: next._id })).toBe(0);
  expect(await BoothAssignment.countDocuments({ edition: next._id })).toBe(0);
  expect(await QuotaCounter.countDocuments({ edition: next._id })).toBe(0);
  expect(await AuditEntry.countDocuments({ action: 'fair.edition.copyHall', targetId: String(next._id) })).toBe(1);

  // Repeating the copy (an interrupted creation retried) adds nothing.
  const organizer = (await User.findOne({ role: 'organizer' }).lean())!;
  const actor: Actor = { id: String(organizer._id), role: 'organizer', name: organizer.name, email: organizer.email, language: 'en', member: null, companyId: null, createdAt: new Date() };
  expect(await copyHall({ clock: () => new Date() }, actor, next._id, last._id)).toBe(0);
  expect(await Booth.countDocuments({ edition: next._id })).toBe(61);
  // A booth removed from the new hall comes back, alone.
  await Booth.deleteOne({ edition: next._id, code: 'A05' });
  expect(await copyHall({ clock: () => new Date() }, actor, next._id, last._id)).toBe(1);
  // The organizer adjusts the new hall: booth Z99 is not there this year.
  await Booth.deleteOne({ edition: next._id, code: 'Z99' });
});

test('without "start from", the new edition starts with an empty hall', async () => {
  const year = last.year + 2;
  const res = await postForm(
    org,
    '/admin/fair/editions/new',
    {
      nameEn: `CISMEF ${year}`, nameZh: `${year}年中博会`, year, startsOn: `${year}-09-15`, endsOn: `${year}-09-18`, cityEn: 'Guangzhou', cityZh: '广州',
      venueEn: 'Canton Fair Complex', venueZh: '广交会展馆', hallEn: 'Hall', hallZh: '展馆', requestOpensAt: `${year}-01-01T00:00`, requestClosesAt: `${year}-08-01T00:00`,
      status: 'draft', defaultQuota: 3,
    },
    '/admin/fair/editions/new',
  );
  expect(res.status).toBe(303);
  const e = (await FairEdition.findOne({ year }).lean<FairEditionDoc>())!;
  expect(await Booth.countDocuments({ edition: e._id })).toBe(0);
  expect(e.copiedFrom ?? null).toBeNull();
  await FairEdition.deleteOne({ _id: e._id });
});

test('invitations: refused before the edition opens; then each exhibitor once, in its language, even when two organizers press at once', async () => {
  const early = await postForm(org, `/admin/fair/editions/${String(next._id)}/invite`, {}, `/admin/fair/editions/${String(next._id)}/invite`);
  expect(early.status).toBe(409);
  expect(await ReturnInvitation.countDocuments({ edition: next._id })).toBe(0);

  t.setNow(new Date(next.requestOpensAt.getTime() + DAY));
  const page = await org.get(`/admin/fair/editions/${String(next._id)}/invite`);
  expect(page.text).toContain('3 companies exhibited there.');
  const second = await organizerAgent(t.app);
  const [a, b] = await Promise.all([
    postForm(org, `/admin/fair/editions/${String(next._id)}/invite`, {}, `/admin/fair/editions/${String(next._id)}/invite`),
    postForm(second, `/admin/fair/editions/${String(next._id)}/invite`, {}, `/admin/fair/editions/${String(next._id)}/invite`),
  ]);
  expect([a.status, b.status]).toEqual([303, 303]);
  await t.mailSettled();
  const toReturning = t.smtp.to(returning.user.email).filter((m) => m.subject.includes('展位申请已开放'));
  const toOther = t.smtp.to(other.user.email).filter((m) => m.subject.includes('requests are open'));
  expect(toReturning).toHaveLength(1);
  expect(toOther).toHaveLength(1);
  expect(toReturning[0]!.text).toContain('http://portal.test/fair/requests/new');
  expect(toReturning[0]!.text).toContain(next.name['zh-CN']);
  expect(toOther[0]!.text).toContain(next.name.en);
  expect(t.smtp.to(rejected.user.email).filter((m) => /requests are open/.test(m.subject))).toHaveLength(0);
  expect(await ReturnInvitation.countDocuments({ edition: next._id })).toBe(2);

  // Pressed again: nobody is written to twice; the page shows the count.
  const again = await postForm(org, `/admin/fair/editions/${String(next._id)}/invite`, {}, `/admin/fair/editions/${String(next._id)}/invite`);
  expect(again.status).toBe(303);
  const after = await org.get(String(again.headers.location));
  expect(after.text).toContain('0 companies invited (2 invited before, 1 without a reachable address)');
  expect(after.text).toContain('2 companies have been invited already');
  await t.mailSettled();
  expect(t.smtp.to(returning.user.email).filter((m) => m.subject.includes('展位申请已开放'))).toHaveLength(1);
});

test('a returning exhibitor’s form opens filled from its last request (wished booths of the new hall only, no brochure); nothing is stored until sent', async () => {
  t.setNow(new Date(next.requestOpensAt.getTime() + DAY));
  const res = await returning.agent.get('/fair/requests/new');
  expect(res.status).toBe(200);
  expect(res.text).toContain('id="prefilled"');
  expect(res.text).toContain(last.name['zh-CN']);
  expect(res.text).toMatch(/id="f-contactName"[^>]*value="Wang Fang"/);
  expect(res.text).toMatch(/id="f-phone"[^>]*value="\+86 20 5555 0101"/);
  expect(res.text).toContain('Lacquerware and silk scarves');
  expect(res.text).toMatch(/id="f-boothCount"[^>]*value="2"/);
  expect(res.text).toMatch(/id="f-wishedCodes"[^>]*value="A01"/);
  expect(res.text).toContain('A table for samples');
  expect(res.text).not.toContain('brochure.pdf');
  expect(await BoothRequest.countDocuments({ edition: next._id })).toBe(0);

  // Fully editable: what is sent is what is stored.
  const sent = await postForm(
    returning.agent,
    '/fair/requests/new',
    { contactName: 'Wang Fang', phone: '+86 20 5555 0101', products: 'Silk scarves only', boothCount: 1, wishedCodes: 'A01', specialNeeds: '', intent: 'submit' },
    '/fair/requests/new',
  );
  expect(sent.status).toBe(303);
  const stored = (await BoothRequest.findOne({ edition: next._id, company: new Types.ObjectId(returning.user.companyId!) }).lean())!;
  expect(stored.products).toBe('Silk scarves only');
  expect(stored.boothCount).toBe(1);
  expect(stored.attachment).toBeNull();

  // A company that never exhibited sees the ordinary empty form.
  const newcomer = await agentFor(t.app, await makeUser({ role: 'member', member: 'IT' }));
  const fresh = await newcomer.get('/fair/requests/new');
  expect(fresh.text).not.toContain('id="prefilled"');
});

test('outcome reports: refused before the fair ends, filed by exhibitors only, another company’s report is 404, closed 90 days after', async () => {
  const url = `/fair/editions/${String(last._id)}/outcome`;
  const report = { contactsMade: 14, deals: 3, dealValue: '250000', wentWell: 'Many visitors from Viet Nam\nGood matchmaking', toImprove: 'Signs in English', consent: 'on' };

  // Before the fair is over.
  t.setNow(new Date(last.endsOn.getTime() + DAY / 2));
  expect((await returning.agent.get(url)).text).toContain('id="outcome-too-early"');
  expect((await postForm(returning.agent, url, report, url)).status).toBe(409);
  expect(await OutcomeReport.countDocuments()).toBe(0);

  t.setNow(new Date(last.endsOn.getTime() + 2 * DAY));
  // Not an exhibitor: 404; not a member: 403.
  expect((await rejected.agent.get(url)).status).toBe(404);
  expect((await postForm(rejected.agent, url, report, '/fair')).status).toBe(404);
  const liaison = await agentFor(t.app, await makeUser({ role: 'liaison', member: 'CN' }));
  expect((await liaison.get(url)).status).toBe(403);

  // The desk reminds the exhibitors whose report is due.
  const desk = await returning.agent.get('/desk');
  expect(desk.text).toContain(url);

  // Bad input: the form again with the input kept, nothing stored.
  const bad = await postForm(returning.agent, url, { ...report, contactsMade: '-1' }, url);
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('Many visitors from Viet Nam');
  expect(await OutcomeReport.countDocuments()).toBe(0);

  const filed = await postForm(returning.agent, url, report, url);
  expect(filed.status).toBe(303);
  const reportUrl = String(filed.headers.location);
  const stored = (await OutcomeReport.findOne({ company: new Types.ObjectId(returning.user.companyId!) }).lean())!;
  expect(stored).toMatchObject({ contactsMade: 14, deals: 3, dealValue: 250000, consent: true, wentWell: 'Many visitors from Viet Nam\nGood matchmaking' });
  expect(reportUrl).toBe(`/fair/outcomes/${String(stored._id)}`);
  expect((await returning.agent.get('/desk')).text).not.toContain(url);

  // Edited: still one report.
  expect((await postForm(returning.agent, url, { ...report, deals: 4 }, url)).status).toBe(303);
  expect(await OutcomeReport.countDocuments({ company: new Types.ObjectId(returning.user.companyId!) })).toBe(1);
  expect((await OutcomeReport.findById(stored._id).lean())!.deals).toBe(4);

  // The other exhibitor files without consent and cannot read the first company's report.
  expect((await postForm(other.agent, url, { contactsMade: 5, deals: 0, dealValue: '', wentWell: '', toImprove: 'More buyers' }, url)).status).toBe(303);
  expect((await other.agent.get(reportUrl)).status).toBe(404);
  expect((await liaison.get(reportUrl)).status).toBe(404);
  expect((await returning.agent.get(reportUrl)).status).toBe(200);

  // 90 days after the fair: closed.
  t.setNow(new Date(last.endsOn.getTime() + 92 * DAY));
  expect((await postForm(returning.agent, url, report, url)).status).toBe(409);
  expect((await OutcomeReport.findById(stored._id).lean())!.deals).toBe(4);
});

test('the organizer lists the reports (CSV with BOM) and turns a consented one into a practice draft once; without consent it is refused', async () => {
  const list = await org.get(`/admin/fair/editions/${String(last._id)}/outcomes`);
  expect(list.status).toBe(200);
  expect(list.text).toContain('2 reports: 19 contacts made, 4 deals.');
  const csv = await org.get(`/admin/fair/editions/${String(last._id)}/outcomes.csv?lang=zh-CN`);
  expect(csv.headers['content-type']).toMatch(/text\/csv/);
  expect(csv.text.charCodeAt(0)).toBe(0xfeff);
  expect(csv.text).toContain('建立的联系');
  expect(csv.text).toContain('"Many visitors from Viet Nam\nGood matchmaking"');
  // Members may not see the organizer's list.
  expect((await returning.agent.get(`/admin/fair/editions/${String(last._id)}/outcomes`)).status).toBe(403);

  const consented = (await OutcomeReport.findOne({ consent: true }).lean())!;
  const refused = (await OutcomeReport.findOne({ consent: false }).lean())!;
  const no = await postForm(org, `/admin/fair/outcomes/${String(refused._id)}/practice`, {}, `/fair/outcomes/${String(refused._id)}`);
  expect(no.status).toBe(403);
  expect(await Practice.countDocuments({ author: refused.author })).toBe(0);
  // A member cannot do it at all.
  expect((await postForm(returning.agent, `/admin/fair/outcomes/${String(consented._id)}/practice`, {}, '/fair')).status).toBe(403);

  const [first, second] = await Promise.all([
    postForm(org, `/admin/fair/outcomes/${String(consented._id)}/practice`, {}, `/fair/outcomes/${String(consented._id)}`),
    postForm(await organizerAgent(t.app), `/admin/fair/outcomes/${String(consented._id)}/practice`, {}, `/fair/outcomes/${String(consented._id)}`),
  ]);
  expect([first.status, second.status].sort()).toEqual([303, 409]);
  const practices = await Practice.find({ author: consented.author }).lean();
  expect(practices).toHaveLength(1);
  const p = practices[0]!;
  expect(p).toMatchObject({ status: 'draft', kind: 'business', member: 'CN', language: 'zh', authorRole: 'member' });
  expect(String(p.company)).toBe(returning.user.companyId);
  expect(p.body).toContain('Good matchmaking');
  expect(String((await OutcomeReport.findById(consented._id).lean())!.practice)).toBe(String(p._id));
  // The report links to the draft; the author is told, in Chinese, and can open it.
  const page = await returning.agent.get(`/fair/outcomes/${String(consented._id)}`);
  expect(page.text).toContain(`/practices/${String(p._id)}/edit`);
  const mail = await t.smtp.waitFor((m) => m.to.includes(returning.user.email) && m.subject.includes('最佳实践草稿'));
  expect(mail.text).toContain(`http://portal.test/practices/${String(p._id)}/edit`);
  expect((await returning.agent.get(`/practices/${String(p._id)}/edit`)).status).toBe(200);
  expect(await AuditEntry.countDocuments({ action: 'fair.outcome.practiceDraft' })).toBe(1);
});

test('the figures show the outcomes per member, equal to a direct count, with the Asia–Europe balance', async () => {
  const res = await org.get('/admin/figures');
  expect(res.status).toBe(200);
  expect(res.text).toContain('id="h-outcomes"');
  const section = res.text.slice(res.text.indexOf('id="h-outcomes"'));
  const reports = await OutcomeReport.find().lean();
  const regions = new Map((await AsemMember.find({}, { code: 1, region: 1 }).lean()).map((m) => [m.code, m.region]));
  for (const member of new Set(reports.map((r) => r.member))) {
    const mine = reports.filter((r) => r.member === member);
    const row = new RegExp(`<tr data-category="${member}">([\\s\\S]*?)</tr>`).exec(section)![1]!;
    expect(row).toContain(`<td data-series="reports">${mine.length}</td>`);
    expect(row).toContain(`<td data-series="contacts">${mine.reduce((a, r) => a + r.contactsMade, 0)}</td>`);
    expect(row).toContain(`<td data-series="deals">${mine.reduce((a, r) => a + r.deals, 0)}</td>`);
  }
  const asia = reports.filter((r) => regions.get(r.member) === 'Asia').length;
  const europe = reports.filter((r) => regions.get(r.member) === 'Europe').length;
  expect(asia).toBe(1);
  expect(europe).toBe(1);
  expect(section).toContain(`Asia ${asia} (50 %), Europe ${europe} (50 %)`);
});
