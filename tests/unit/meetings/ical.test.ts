/**
 * The meeting invitation's times, parsed back with node-ical: right in UTC and written in the
 * edition's zone with its VTIMEZONE, across daylight saving, whatever zone the server runs in.
 */
import * as nodeIcal from 'node-ical';
import { Types } from 'mongoose';
import { feedIcs, invitationIcs, type IcsMeeting } from '../../../src/modules/meetings/ical';
import { vtimezoneOf } from '../../../src/web/zones';
import { zonedToUtc } from '../../../src/modules/meetings/slots';

const organizer = { name: 'ASEM SME Exchange', email: 'no-reply@portal.test' };
const opts = { lang: 'en' as const, baseUrl: 'https://portal.test', organizer, now: new Date('2027-09-01T08:00:00Z') };

function item(zone: string, date: string, time: string, overrides: Partial<IcsMeeting['meeting']> = {}): IcsMeeting {
  const startsAt = zonedToUtc(date, time, zone);
  const side = (name: string, company: string, member: string) => ({ participant: new Types.ObjectId(), user: new Types.ObjectId(), company: new Types.ObjectId(), member, name, companyName: company });
  return {
    meeting: { _id: new Types.ObjectId(), uid: `m-${date}-${time}@test`, sequence: 1, status: 'booked', startsAt, endsAt: new Date(startsAt.getTime() + 30 * 60_000), table: null, booth: 'B07', sides: [side('Anna', 'Anna GmbH', 'DE'), side('Somchai', 'Somchai Co.', 'TH')], ...overrides },
    timeZone: zone,
    hallName: 'Hall for ASEM SMEs Cooperation and Exchange',
    people: [{ name: 'Anna', email: 'anna@example.org' }, null],
    reader: 0,
  };
}

function events(ics: string): nodeIcal.VEvent[] {
  return Object.values(nodeIcal.sync.parseICS(ics)).filter((c) => c?.type === 'VEVENT') as nodeIcal.VEvent[];
}

describe.each(['UTC', 'America/New_York', 'Asia/Kolkata'])('with the server in %s', (processZone) => {
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = processZone;
  });
  afterAll(() => {
    process.env.TZ = saved;
  });

  it('writes summer and winter times of a daylight-saving zone right', () => {
    const summer = invitationIcs(item('Europe/Berlin', '2027-10-29', '09:00'), opts); // CEST, UTC+2
    const winter = invitationIcs(item('Europe/Berlin', '2027-11-01', '09:00'), opts); // CET, UTC+1
    expect(events(summer.content)[0]!.start.toISOString()).toBe('2027-10-29T07:00:00.000Z');
    expect(events(winter.content)[0]!.start.toISOString()).toBe('2027-11-01T08:00:00.000Z');
    expect(summer.content).toContain('DTSTART;TZID=Europe/Berlin:20271029T090000');
    expect(winter.content).toContain('DTSTART;TZID=Europe/Berlin:20271101T090000');
    expect(summer.content).toContain('BEGIN:DAYLIGHT');
    expect(summer.content).toContain('DTSTAMP:20270901T080000Z');
    expect(summer.method).toBe('REQUEST');
    expect(String(events(summer.content)[0]!.location)).toContain('Booth B07');
  });

  it('gives a cancelled meeting METHOD:CANCEL and a SEQUENCE above the booked one', () => {
    const c = invitationIcs(item('Asia/Shanghai', '2027-10-15', '14:30', { status: 'cancelled', sequence: 3 }), opts);
    expect(c.method).toBe('CANCEL');
    expect(c.content).toMatch(/^METHOD:CANCEL\r$/m);
    const e = events(c.content)[0]!;
    expect(Number(e.sequence)).toBe(4);
    expect(e.status).toBe('CANCELLED');
    expect(e.start.toISOString()).toBe('2027-10-15T06:30:00.000Z');
  });
});

it('puts one VTIMEZONE per zone in a feed with editions in two zones, and none for an unknown zone', () => {
  const ics = feedIcs([item('Asia/Shanghai', '2027-10-15', '10:00'), item('Europe/Berlin', '2028-05-03', '10:00')], opts);
  expect(ics.match(/BEGIN:VTIMEZONE/g)).toHaveLength(2);
  expect(events(ics).map((e) => e.start.toISOString()).sort()).toEqual(['2027-10-15T02:00:00.000Z', '2028-05-03T08:00:00.000Z']);
  expect(ics).not.toMatch(/^METHOD:/m);
  expect(vtimezoneOf('Mars/Olympus')).toBeNull();
});
