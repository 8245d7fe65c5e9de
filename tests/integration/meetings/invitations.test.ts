/**
 * Calendar invitations of meetings at the hall, read back from the SMTP server's messages and
 * parsed with an independent iCalendar parser (node-ical): METHOD, UID, SEQUENCE, the times in UTC
 * and in the fair's zone (TZID + VTIMEZONE), LOCATION, the recipient's language; the cancellation
 * with the same UID and a higher SEQUENCE; the reminder sent once when two runs race; the private
 * agenda feed.
 */
import * as nodeIcal from 'node-ical';
import { createTestApp, type TestApp } from '../../helpers/app';
import { login, newAgent, postForm } from '../../helpers/http';
import type { CapturedMail } from '../../helpers/smtp';
import { createMeetingInvitations, runMeetingReminders } from '../../../src/modules/meetings/invitations';
import { Meeting, MeetingSettings, type MeetingDoc } from '../../../src/modules/meetings/model';
import { DAY1, meeting, participant, sessions, type Person } from './agenda-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

function calendarOf(mail: CapturedMail): { method: string; raw: string; event: nodeIcal.VEvent } {
  const part = mail.attachments.find((a) => /calendar|ics/.test(a.contentType));
  if (!part) throw new Error(`no calendar part in "${mail.subject}": ${mail.attachments.map((a) => a.contentType).join(', ')}`);
  const events = Object.values(nodeIcal.sync.parseICS(part.content)).filter((c) => c?.type === 'VEVENT') as nodeIcal.VEvent[];
  expect(events).toHaveLength(1);
  return { method: /^METHOD:(\w+)/m.exec(part.content)?.[1] ?? '', raw: part.content, event: events[0]! };
}

function unfolded(raw: string): string {
  return raw.replace(/\r?\n[ \t]/g, '');
}

describe('invitations', () => {
  let visitor: Person;
  let exhibitor: Person;
  let booked: MeetingDoc;

  beforeAll(async () => {
    const settings = await sessions({ timeZone: 'Asia/Shanghai' });
    visitor = await participant(settings, { member: 'DE', language: 'en', company: 'Berliner Werkzeug GmbH' });
    exhibitor = await participant(settings, { member: 'TH', language: 'zh-CN', company: 'Siam Ceramics Co.', kind: 'exhibitor' });
    booked = await meeting(settings, visitor, exhibitor, { time: '10:00', table: 7, sequence: 2 });
  });

  it('e-mails both sides a METHOD:REQUEST invitation in the fair zone, in each one\'s language', async () => {
    const settings = (await MeetingSettings.findOne({ edition: booked.edition }).lean())!;
    const invitations = createMeetingInvitations({ mailer: t.ctx.mailer, clock: t.ctx.now, baseUrl: t.config.baseUrl });
    // As the booking service may hold it: a mongoose document, not a plain record.
    await invitations.booked((await Meeting.findById(booked._id))!, settings);
    const toVisitor = await t.smtp.waitFor((m) => m.to.includes(visitor.email) && m.attachments.length > 0);
    const toExhibitor = await t.smtp.waitFor((m) => m.to.includes(exhibitor.email) && m.attachments.length > 0);

    const v = calendarOf(toVisitor);
    expect(v.method).toBe('REQUEST');
    expect(v.event.uid).toBe(booked.uid);
    expect(Number(v.event.sequence)).toBe(2);
    // 10:00 in Guangzhou is 02:00 UTC; the file says so in the fair's zone, with its VTIMEZONE.
    expect(v.event.start.toISOString()).toBe(`${DAY1}T02:00:00.000Z`);
    expect(v.event.end!.toISOString()).toBe(`${DAY1}T02:30:00.000Z`);
    expect((v.event.start as Date & { tz?: string }).tz).toBe('Asia/Shanghai');
    const raw = unfolded(v.raw);
    expect(raw).toMatch(/DTSTART;TZID=Asia\/Shanghai:20271015T100000/);
    expect(raw).toMatch(/BEGIN:VTIMEZONE\r?\nTZID:Asia\/Shanghai/);
    expect(String(v.event.location)).toContain('Table 7');
    expect(String(v.event.location)).toContain('Hall for ASEM SMEs Cooperation and Exchange');
    expect(String(v.event.summary)).toContain('Siam Ceramics Co.');
    expect(raw).toMatch(/ORGANIZER;CN=/);
    expect(raw.toLowerCase()).toContain(`mailto:${visitor.email}`);
    expect(raw.toLowerCase()).toContain(`mailto:${exhibitor.email}`);
    expect(raw).toMatch(/^DTSTAMP:\d{8}T\d{6}Z\r?$/m);
    expect(toVisitor.subject).toContain('Siam Ceramics Co.');

    const e = calendarOf(toExhibitor);
    expect(e.event.uid).toBe(booked.uid);
    expect(String(e.event.summary)).toContain('与 Berliner Werkzeug GmbH 洽谈');
    expect(String(e.event.location)).toContain('7 号洽谈桌');
    expect(toExhibitor.subject).toContain('已预约');
  });

  it('cancels with METHOD:CANCEL, the same UID and a higher SEQUENCE', async () => {
    const settings = (await MeetingSettings.findOne({ edition: booked.edition }).lean())!;
    await Meeting.updateOne({ _id: booked._id }, { $set: { status: 'cancelled', cancelledAt: new Date() } });
    const cancelled = (await Meeting.findById(booked._id).lean<MeetingDoc>())!;
    await createMeetingInvitations({ mailer: t.ctx.mailer, clock: t.ctx.now, baseUrl: t.config.baseUrl }).cancelled(cancelled, settings);
    const mail = await t.smtp.waitFor((m) => m.to.includes(visitor.email) && m.attachments.some((a) => /METHOD:CANCEL/.test(a.content)));
    const c = calendarOf(mail);
    expect(c.method).toBe('CANCEL');
    expect(c.event.uid).toBe(booked.uid);
    expect(Number(c.event.sequence)).toBeGreaterThan(2);
    expect(c.event.status).toBe('CANCELLED');
    expect(c.event.start.toISOString()).toBe(`${DAY1}T02:00:00.000Z`);
  });
});

describe('reminders', () => {
  it('reminds both sides once the day before, even when two runs race', async () => {
    const settings = await sessions();
    const a = await participant(settings, { member: 'FR' });
    const b = await participant(settings, { member: 'VN' });
    const m = await meeting(settings, a, b, { day: DAY1, time: '11:00', table: 2 });
    // Two days before: not yet.
    t.setNow(new Date(m.startsAt.getTime() - 48 * 3600_000));
    const deps = { mailer: t.ctx.mailer, clock: t.ctx.now, baseUrl: t.config.baseUrl };
    await runMeetingReminders(deps);
    expect((await Meeting.findById(m._id).lean())!.remindedAt).toBeNull();
    // The evening before: two instances at once.
    t.setNow(new Date(m.startsAt.getTime() - 15 * 3600_000));
    await Promise.all([runMeetingReminders(deps), runMeetingReminders(deps), runMeetingReminders(deps)]);
    await runMeetingReminders(deps);
    await t.mailSettled();
    const reminders = (p: Person) => t.smtp.to(p.email).filter((x) => x.subject.startsWith('Tomorrow'));
    expect(reminders(a)).toHaveLength(1);
    expect(reminders(b)).toHaveLength(1);
    expect((await Meeting.findById(m._id).lean())!.remindedAt).not.toBeNull();
    t.setNow(null);
  });
});

describe('the private agenda feed', () => {
  it('lists the person\'s meetings (cancelled ones as CANCELLED, same UID), only with the current token', async () => {
    const settings = await sessions();
    const me = await participant(settings, { member: 'DE', language: 'en' });
    const other = await participant(settings, { member: 'CN', language: 'zh-CN' });
    const third = await participant(settings, { member: 'JP' });
    const kept = await meeting(settings, me, other, { day: DAY1, time: '09:30', table: 4 });
    const dropped = await meeting(settings, third, me, { day: '2027-10-16', time: '09:00', table: 5 });
    await Meeting.updateOne({ _id: dropped._id }, { $set: { status: 'cancelled' } });
    const notMine = await meeting(settings, other, third, { day: DAY1, time: '11:30', table: 6 });

    const agent = newAgent(t.app);
    await login(agent, me.email, me.password);
    const made = await postForm(agent, '/fair/agenda/feed', {}, '/fair/agenda');
    expect(made.status).toBe(303);
    const page = await agent.get('/fair/agenda');
    const url = /\/fair\/agenda\/([A-Za-z0-9_-]{32})\.ics/.exec(page.text)?.[0];
    expect(url).toBeDefined();

    const feed = await newAgent(t.app).get(url!);
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toMatch(/text\/calendar/);
    const events = Object.values(nodeIcal.sync.parseICS(feed.text)).filter((c) => c?.type === 'VEVENT') as nodeIcal.VEvent[];
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect(byUid.has(notMine.uid)).toBe(false);
    expect(byUid.get(kept.uid)!.start.toISOString()).toBe(`${DAY1}T01:30:00.000Z`);
    expect(byUid.get(kept.uid)!.status).toBe('CONFIRMED');
    expect(byUid.get(dropped.uid)!.status).toBe('CANCELLED');
    expect(Number(byUid.get(dropped.uid)!.sequence)).toBeGreaterThan(dropped.sequence);
    expect(unfolded(feed.text)).toMatch(/DTSTART;TZID=Asia\/Shanghai:20271015T093000/);

    // A new address: the old one is 404, as is any made-up token.
    await postForm(agent, '/fair/agenda/feed', {}, '/fair/agenda');
    expect((await newAgent(t.app).get(url!)).status).toBe(404);
    expect((await newAgent(t.app).get('/fair/agenda/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics')).status).toBe(404);
    expect((await newAgent(t.app).get('/fair/agenda/short.ics')).status).toBe(404);
  });
});
