/**
 * Editing an event and its times: the organizer changes every field with the rules of creation
 * (bad input refused, form kept, nothing changed), each edit is audited and raises the .ics
 * SEQUENCE under the same UID; optional start and end times in the event's zone give timed
 * DTSTART/DTEND with the zone's VTIMEZONE (right in UTC, read by an independent parser), whole
 * days otherwise; the event page shows the times in the event's zone. Only the organizer may edit.
 */
import * as nodeIcal from 'node-ical';
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { OfficialEvent } from '../../../src/modules/events/model';
import { AuditEntry } from '../../../src/modules/audit/model';

jest.setTimeout(60_000);

function veventOf(ics: string): nodeIcal.VEvent {
  const events = Object.values(nodeIcal.sync.parseICS(ics)).filter((c) => c?.type === 'VEVENT') as nodeIcal.VEvent[];
  expect(events).toHaveLength(1);
  return events[0]!;
}

const base = {
  kind: 'ministerial',
  titleEn: 'Ministerial Meeting 2027',
  titleZh: '2027年部长会议',
  startsOn: '2027-04-10',
  endsOn: '2027-04-11',
  startTime: '09:30',
  endTime: '17:00',
  timeZone: 'Asia/Kuala_Lumpur',
  hostMember: 'MY',
  city: 'Kuala Lumpur',
  venue: 'KLCC',
  visibility: 'public',
};

describe('editing events, with times', () => {
  let t: TestApp;
  let organizer: Agent;
  let liaison: Agent;
  let id = '';

  beforeAll(async () => {
    t = await createTestApp();
    t.setNow(new Date('2027-03-01T09:00:00Z'));
    organizer = newAgent(t.app);
    await login(organizer, ORGANIZER.email, ORGANIZER.password);
    const l = await makeUser({ role: 'liaison', member: 'MY', company: false });
    liaison = newAgent(t.app);
    await login(liaison, l.email, l.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses half-given or reversed times with the form kept, and creates a timed event', async () => {
    const half = await postForm(organizer, '/events/new', { ...base, endTime: '' }, '/events/new');
    expect(half.status).toBe(422);
    expect(half.text).toContain('Give both the start and the end time, or neither.');
    expect(half.text).toContain('value="09:30"');
    const oneDay = await postForm(organizer, '/events/new', { ...base, endsOn: '2027-04-10', startTime: '15:00', endTime: '09:00' }, '/events/new');
    expect(oneDay.status).toBe(422);
    expect(oneDay.text).toContain('The end time must be after the start time.');
    const garbage = await postForm(organizer, '/events/new', { ...base, startTime: '25:61' }, '/events/new');
    expect(garbage.status).toBe(422);
    expect(await OfficialEvent.countDocuments()).toBe(0);

    const res = await postForm(organizer, '/events/new', base, '/events/new');
    expect(res.status).toBe(303);
    id = /\/events\/([a-f0-9]{24})$/.exec(res.headers.location ?? '')![1]!;
    const page = await newAgent(t.app).get(`/events/${id}`);
    expect(page.text).toContain('09:30');
    expect(page.text).toContain('17:00');
    expect(page.text).toContain('(Asia/Kuala_Lumpur)');
  });

  it("writes the times in the event's zone with its VTIMEZONE, right in UTC (Kuala Lumpur is UTC+8)", async () => {
    const ics = (await newAgent(t.app).get(`/events/${id}.ics`)).text;
    expect(ics).toContain('DTSTART;TZID=Asia/Kuala_Lumpur:20270410T093000');
    expect(ics).toContain('DTEND;TZID=Asia/Kuala_Lumpur:20270411T170000');
    expect(ics).toMatch(/BEGIN:VTIMEZONE\r?\nTZID:Asia\/Kuala_Lumpur/);
    const ev = veventOf(ics);
    expect(ev.datetype).toBe('date-time');
    expect(ev.start.toISOString()).toBe('2027-04-10T01:30:00.000Z');
    expect(ev.end!.toISOString()).toBe('2027-04-11T09:00:00.000Z');
    expect(Number(ev.sequence ?? 0)).toBe(0);
  });

  it('lets only the organizer edit', async () => {
    expect((await liaison.get(`/events/${id}/edit`)).status).toBe(403);
    const refused = await postForm(liaison, `/events/${id}/edit`, { ...base, titleEn: 'Hijacked' }, '/events');
    expect(refused.status).toBe(403);
    expect((await OfficialEvent.findById(id).lean())!.title.en).toBe('Ministerial Meeting 2027');
    expect((await organizer.get(`/events/${id}`)).text).toContain(`href="/events/${id}/edit"`);
    expect((await liaison.get(`/events/${id}`)).text).not.toContain(`href="/events/${id}/edit"`);
  });

  it('edits every field with the same validation; the edit is audited, the .ics keeps its UID and raises SEQUENCE', async () => {
    const before = veventOf((await newAgent(t.app).get(`/events/${id}.ics`)).text);
    const form = await organizer.get(`/events/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Ministerial Meeting 2027"');
    expect(form.text).toContain('value="09:30"');
    expect(form.text).toMatch(/<option value="Asia\/Kuala_Lumpur" selected>/);

    const bad = await postForm(organizer, `/events/${id}/edit`, { ...base, titleEn: 'Changed', endsOn: '2027-04-01' }, `/events/${id}/edit`);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="Changed"');
    expect((await OfficialEvent.findById(id).lean())!.title.en).toBe('Ministerial Meeting 2027');

    const edited = { ...base, titleEn: 'ASEM SME Ministerial Meeting 2027', startsOn: '2027-07-01', endsOn: '2027-07-02', startTime: '10:00', endTime: '16:30', timeZone: 'Europe/Brussels', hostMember: 'BE', city: 'Brussels', venue: 'Egmont Palace' };
    const ok = await postForm(organizer, `/events/${id}/edit`, edited, `/events/${id}/edit`);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/events/${id}`);

    const after = veventOf((await newAgent(t.app).get(`/events/${id}.ics`)).text);
    expect(after.uid).toBe(before.uid);
    expect(Number(after.sequence)).toBe(1);
    expect(String(after.summary)).toBe('ASEM SME Ministerial Meeting 2027');
    // Brussels in July is UTC+2 (its VTIMEZONE says when daylight saving applies).
    expect(after.start.toISOString()).toBe('2027-07-01T08:00:00.000Z');
    expect(after.end!.toISOString()).toBe('2027-07-02T14:30:00.000Z');

    const audit = await AuditEntry.find({ action: 'event.update', targetId: id }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before).toMatchObject({ title: 'Ministerial Meeting 2027', city: 'Kuala Lumpur', startTime: '09:30' });
    expect(audit[0]!.after).toMatchObject({ title: 'ASEM SME Ministerial Meeting 2027', city: 'Brussels', timeZone: 'Europe/Brussels', startTime: '10:00' });
  });

  it('without times the event is whole days again, and the next edit raises SEQUENCE again', async () => {
    const ok = await postForm(organizer, `/events/${id}/edit`, { ...base, startTime: '', endTime: '' }, `/events/${id}/edit`);
    expect(ok.status).toBe(303);
    const ev = veventOf((await newAgent(t.app).get(`/events/${id}.ics`)).text);
    expect(ev.datetype).toBe('date');
    expect(ev.start.toISOString().slice(0, 10)).toBe('2027-04-10');
    expect(Number(ev.sequence)).toBe(2);
    const page = await newAgent(t.app).get(`/events/${id}`);
    expect(page.text).not.toContain('09:30');
  });
});
