/**
 * The activity charts of /admin/figures — messages, opportunities, contact requests, e-mails sent
 * and failed — agree with counts computed another way (straight from the collections, or from what
 * the SMTP server saw), leave out suspended accounts and demo records, and follow the date range.
 */
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { login, newAgent, type Agent } from '../../helpers/http';
import { User } from '../../../src/modules/accounts/model';
import { AsemMember } from '../../../src/modules/members/model';
import { Announcement, Conversation, PrivateMessage } from '../../../src/modules/messages/model';
import { ContactRequest, Opportunity } from '../../../src/modules/partners/model';

jest.setTimeout(90_000);

/** The value of one cell of one chart's data table (0 when the row is absent). */
function cell(html: string, chart: string, category: string, series: string): number {
  const start = html.indexOf(`id="h-${chart}"`);
  if (start < 0) throw new Error(`no chart ${chart}`);
  const section = html.slice(start, html.indexOf('</section>', start));
  const row = new RegExp(`<tr data-category="${category}">([\\s\\S]*?)</tr>`).exec(section);
  if (!row) return 0;
  const m = new RegExp(`<td data-series="${series}">(\\d+)</td>`).exec(row[1]!);
  return m ? Number(m[1]) : 0;
}

const at = (iso: string) => new Date(`${iso}T10:00:00Z`);
const month = (d: Date) => d.toISOString().slice(0, 7);

describe('activity figures', () => {
  let t: TestApp;
  let organizer: Agent;
  let my: MadeUser, de: MadeUser, fr: MadeUser, gone: MadeUser, demoUser: MadeUser;
  let organizerId: Types.ObjectId;

  beforeAll(async () => {
    t = await createTestApp({ mailTiming: { retryBaseMs: 20, maxAttempts: 2 } });
    organizer = newAgent(t.app);
    await login(organizer, ORGANIZER.email, ORGANIZER.password);
    organizerId = (await User.findOne({ email: ORGANIZER.email }).lean())!._id;
    [my, de, fr, gone, demoUser] = await Promise.all([
      makeUser({ member: 'MY', createdAt: at('2026-01-05') }),
      makeUser({ member: 'DE', createdAt: at('2026-01-06') }),
      makeUser({ member: 'FR', createdAt: at('2026-01-07') }),
      makeUser({ member: 'DE', createdAt: at('2026-01-08'), status: 'suspended' }),
      makeUser({ member: 'MY', createdAt: at('2026-01-09') }),
    ]);
    // A record of the demo-data tool: never counted.
    await User.updateOne({ email: demoUser.email }, { $set: { demo: true } });
    const oid = (u: MadeUser) => new Types.ObjectId(u.id);

    // Messages: two conversations in January, one in February; a suspended author's and a demo message left out.
    const conv = async (by: MadeUser, when: string, demo = false) =>
      (await Conversation.create({ subject: 's', startedBy: oid(by), participants: [oid(by), oid(de)], lastMessageAt: at(when), createdAt: at(when), demo }))._id;
    const c1 = await conv(my, '2026-01-10');
    const c2 = await conv(fr, '2026-01-11');
    const c3 = await conv(my, '2026-02-03');
    await conv(demoUser, '2026-02-04', true);
    const msg = (c: Types.ObjectId, by: MadeUser, when: string, demo = false) => PrivateMessage.create({ conversation: c, author: oid(by), body: 'hello', createdAt: at(when), demo });
    await Promise.all([
      msg(c1, my, '2026-01-10'),
      msg(c1, de, '2026-01-12'),
      msg(c2, fr, '2026-01-11'),
      msg(c2, gone, '2026-01-13'),
      msg(c3, my, '2026-02-03'),
      msg(c3, de, '2026-02-05'),
      msg(c3, demoUser, '2026-02-06', true),
    ]);
    await Announcement.create({ subject: 'Hello liaisons', body: 'b', sentBy: organizerId, audience: 'all', sentAt: at('2026-02-10') });

    // Opportunities: MY and DE post; a hidden one, a suspended author's and a demo one are left out.
    const opp = (by: MadeUser, member: string, kind: string, when: string, extra: Record<string, unknown> = {}) =>
      Opportunity.collection.insertOne({
        kind, title: `t-${randomBytes(3).toString('hex')}`, description: 'd', descriptionHtml: '<p>d</p>', cooperationType: 'trade', language: 'en',
        member, author: oid(by), authorRole: 'member', company: null, expiresAt: at('2027-01-01'), closedAt: null, hiddenAt: null, createdAt: at(when), updatedAt: at(when), ...extra,
      });
    await Promise.all([
      opp(my, 'MY', 'offer', '2026-01-15'),
      opp(my, 'MY', 'request', '2026-01-16'),
      opp(de, 'DE', 'offer', '2026-02-15'),
      opp(fr, 'FR', 'request', '2026-02-16', { hiddenAt: at('2026-02-17') }),
      opp(gone, 'DE', 'offer', '2026-02-18'),
      opp(demoUser, 'MY', 'offer', '2026-02-19', { demo: true }),
    ]);

    // Contact requests: sent by the month sent, answered by the month of the answer.
    const req = (from: MadeUser, to: MadeUser, when: string, status: string, decided: string | null, extra: Record<string, unknown> = {}) =>
      ContactRequest.collection.insertOne({
        fromCompany: new Types.ObjectId(), fromUser: oid(from), fromMember: from === my ? 'MY' : 'DE', toCompany: new Types.ObjectId(), toUser: oid(to), toMember: 'FR',
        pair: randomBytes(6).toString('hex'), message: 'm', status, open: status === 'open', decidedAt: decided ? at(decided) : null, expiresAt: at('2026-12-01'), createdAt: at(when), ...extra,
      });
    await Promise.all([
      req(my, fr, '2026-01-20', 'accepted', '2026-02-02'),
      req(de, fr, '2026-01-21', 'declined', '2026-01-25'),
      req(my, de, '2026-02-01', 'open', null),
      req(gone, fr, '2026-02-01', 'accepted', '2026-02-03'),
      req(demoUser, fr, '2026-02-01', 'accepted', '2026-02-04', { demo: true }),
    ]);

    // E-mails: two delivered, one refused on every attempt (given up).
    t.smtp.clear();
    await t.ctx.mailer.drained({ includingRetries: true });
    const content = { subject: { key: 'accounts:mail.reset.subject' }, lines: [{ quote: 'x' }] };
    await t.ctx.mailer.notify({ email: 'a@example.org', language: 'en' }, content);
    await t.ctx.mailer.notify({ email: 'b@example.org', language: 'en' }, content);
    await t.ctx.mailer.drained({ includingRetries: true });
    t.smtp.refuseNext(2);
    await t.ctx.mailer.notify({ email: 'c@example.org', language: 'en' }, content);
    await t.ctx.mailer.drained({ includingRetries: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts messages, conversations and announcements per month as a direct count does', async () => {
    const res = await organizer.get('/admin/figures');
    expect(res.status).toBe(200);
    const excluded = new Set([gone.id]);
    const messages = (await PrivateMessage.find({}).lean()).filter((m) => !m.demo && !excluded.has(String(m.author)));
    const conversations = (await Conversation.find({}).lean()).filter((c) => !c.demo && !excluded.has(String(c.startedBy)));
    const announcements = await Announcement.find({}).lean();
    for (const m of ['2026-01', '2026-02']) {
      expect(cell(res.text, 'messages', m, 'messages')).toBe(messages.filter((x) => month(x.createdAt) === m).length);
      expect(cell(res.text, 'messages', m, 'conversations')).toBe(conversations.filter((x) => month(x.createdAt) === m).length);
      expect(cell(res.text, 'messages', m, 'announcements')).toBe(announcements.filter((x) => month(x.sentAt) === m).length);
    }
    expect(cell(res.text, 'messages', '2026-01', 'messages')).toBe(3); // the suspended author's left out
    expect(cell(res.text, 'messages', '2026-02', 'messages')).toBe(2); // the demo message left out
    expect(cell(res.text, 'messages', '2026-02', 'conversations')).toBe(1);
    expect(cell(res.text, 'messages', '2026-02', 'announcements')).toBe(1);
    expect(res.text).toContain('aria-labelledby="st-messages sd-messages"');
  });

  it('counts opportunities per month and kind with the Asia–Europe balance, and contact requests sent, accepted and declined', async () => {
    const res = await organizer.get('/admin/figures');
    const opps = (await Opportunity.find({}).lean()).filter((o) => !o.demo && !o.hiddenAt && String(o.author) !== gone.id);
    for (const m of ['2026-01', '2026-02']) {
      for (const kind of ['offer', 'request']) expect(cell(res.text, 'opportunities', m, kind)).toBe(opps.filter((o) => month(o.createdAt) === m && o.kind === kind).length);
    }
    expect(cell(res.text, 'opportunities', '2026-02', 'offer')).toBe(1);
    const regions = new Map((await AsemMember.find({}, { code: 1, region: 1 }).lean()).map((m) => [m.code, m.region]));
    const asia = opps.filter((o) => regions.get(o.member) === 'Asia').length;
    const europe = opps.filter((o) => regions.get(o.member) === 'Europe').length;
    expect([asia, europe]).toEqual([2, 1]);
    const section = res.text.slice(res.text.indexOf('id="h-opportunities"'));
    expect(section).toMatch(/Asia–Europe balance: Asia 2 \(67 %\), Europe 1 \(33 %\)/);
    const csv = await organizer.get('/admin/figures/opportunities.csv');
    expect(csv.text.slice(1).trim().split('\r\n')).toEqual(['month,member,region,kind,count', '2026-01,MY,Asia,offer,1', '2026-01,MY,Asia,request,1', '2026-02,DE,Europe,offer,1']);

    const requests = (await ContactRequest.find({}).lean()).filter((r) => !r.demo && String(r.fromUser) !== gone.id);
    for (const m of ['2026-01', '2026-02']) {
      expect(cell(res.text, 'contacts', m, 'sent')).toBe(requests.filter((r) => month(r.createdAt) === m).length);
      expect(cell(res.text, 'contacts', m, 'accepted')).toBe(requests.filter((r) => r.status === 'accepted' && month(r.decidedAt!) === m).length);
      expect(cell(res.text, 'contacts', m, 'declined')).toBe(requests.filter((r) => r.status === 'declined' && month(r.decidedAt!) === m).length);
    }
    expect(cell(res.text, 'contacts', '2026-02', 'accepted')).toBe(1);
    expect(cell(res.text, 'contacts', '2026-01', 'declined')).toBe(1);
  });

  it('counts e-mails sent and given up, as the SMTP server saw them, without keeping the messages', async () => {
    const res = await organizer.get('/admin/figures');
    const now = month(new Date());
    expect(t.smtp.to('a@example.org')).toHaveLength(1);
    expect(t.smtp.to('c@example.org')).toHaveLength(0);
    const delivered = ['a@example.org', 'b@example.org'].map((e) => t.smtp.to(e).length).reduce((a, b) => a + b, 0);
    expect(cell(res.text, 'mail', now, 'sent')).toBe(delivered);
    expect(cell(res.text, 'mail', now, 'failed')).toBe(1);
  });

  it('leaves demo records out (a demo registration is not counted) and follows the date range', async () => {
    const all = await organizer.get('/admin/figures');
    // January registrations in Asia: MY only; the demo MY account is left out.
    expect(cell(all.text, 'registrations', '2026-01', 'Asia')).toBe(1);
    await User.updateOne({ email: demoUser.email }, { $set: { demo: false } });
    expect(cell((await organizer.get('/admin/figures')).text, 'registrations', '2026-01', 'Asia')).toBe(2);
    await User.updateOne({ email: demoUser.email }, { $set: { demo: true } });

    const feb = await organizer.get('/admin/figures?from=2026-02-01&to=2026-02-28');
    expect(cell(feb.text, 'messages', '2026-01', 'messages')).toBe(0);
    expect(cell(feb.text, 'messages', '2026-02', 'messages')).toBe(2);
    expect(cell(feb.text, 'opportunities', '2026-01', 'offer')).toBe(0);
    expect(cell(feb.text, 'contacts', '2026-02', 'sent')).toBe(1);
    expect(cell(feb.text, 'contacts', '2026-02', 'accepted')).toBe(1);
    const csv = await organizer.get('/admin/figures/contacts.csv?from=2026-01-01&to=2026-01-31');
    expect(csv.text.slice(1).trim().split('\r\n')).toEqual(['month,sent,accepted,declined', '2026-01,2,0,1']);
  });
});
