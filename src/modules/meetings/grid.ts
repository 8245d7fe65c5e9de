/**
 * The organizer's grid of a meeting day (/admin/fair/meetings/grid?day=YYYY-MM-DD): tables × slots
 * with who meets whom, the meetings at exhibitors' booths listed apart, the free tables per slot,
 * no-show marking (per participant, once the slot has started), and the CSV of the edition's
 * meetings (UTF-8 with a BOM; ASEM member names in English and Chinese).
 */
import { Types, trusted } from 'mongoose';
import { ConflictError, NotFoundError, assertRole, type Actor } from '../../kernel';
import { currentEdition, type FairEditionDoc } from '../fair';
import { listAsemMembers } from '../members';
import { Meeting, MeetingSettings, type MeetingDoc, type MeetingSettingsDoc } from './model';
import { isLocalDate, localTime, slotsOf } from './slots';

export interface GridSide {
  user: string;
  name: string;
  companyName: string;
  companyId: string | null;
  member: string;
  noShow: boolean;
}

export interface GridMeeting {
  id: string;
  table: number | null;
  booth: string | null;
  start: string;
  end: string;
  started: boolean;
  sides: GridSide[];
}

export interface GridSlot {
  start: string;
  end: string;
  started: boolean;
  /** One entry per table (index 0 = table 1): the meeting there, or null. */
  tables: (GridMeeting | null)[];
  booths: GridMeeting[];
  freeTables: number;
}

export interface Grid {
  edition: Pick<FairEditionDoc, '_id' | 'name' | 'hallName'> | null;
  settings: MeetingSettingsDoc | null;
  days: string[];
  day: string | null;
  /** A day was asked for that is not a meeting day (or not a date). */
  badDay: boolean;
  slots: GridSlot[];
  tableCount: number;
  bookedCount: number;
}

async function editionSettings(): Promise<{ edition: FairEditionDoc | null; settings: MeetingSettingsDoc | null }> {
  const edition = await currentEdition();
  if (!edition) return { edition: null, settings: null };
  const settings = await MeetingSettings.findOne({ edition: edition._id }).lean<MeetingSettingsDoc>();
  return { edition, settings };
}

function gridMeeting(m: MeetingDoc, zone: string, now: Date): GridMeeting {
  return {
    id: String(m._id),
    table: m.table,
    booth: m.booth,
    start: localTime(m.startsAt, zone),
    end: localTime(m.endsAt, zone),
    started: m.startsAt.getTime() <= now.getTime(),
    sides: m.sides.map((s) => ({
      user: String(s.user),
      name: s.name,
      companyName: s.companyName,
      companyId: s.company ? String(s.company) : null,
      member: s.member,
      noShow: m.noShow.some((u) => String(u) === String(s.user)),
    })),
  };
}

/** The grid of one day of the current edition's meeting sessions. Organizer only. */
export async function meetingGrid(actor: Actor | undefined, requestedDay: unknown, now: Date): Promise<Grid> {
  assertRole(actor, 'organizer');
  const { edition, settings } = await editionSettings();
  const empty: Grid = { edition, settings, days: [], day: null, badDay: false, slots: [], tableCount: 0, bookedCount: 0 };
  if (!edition || !settings) return empty;
  const days = [...settings.days].map((d) => d.date).sort();
  const asked = typeof requestedDay === 'string' && requestedDay !== '' ? requestedDay : null;
  const badDay = asked !== null && !(isLocalDate(asked) && days.includes(asked));
  const day = asked && !badDay ? asked : days[0] ?? null;
  if (!day) return { ...empty, days, badDay };
  const zone = settings.timeZone;
  const meetings = await Meeting.find({ edition: edition._id, day, status: 'booked' }).sort({ startsAt: 1 }).lean<MeetingDoc[]>();
  const slots = slotsOf(settings)
    .filter((s) => s.day === day)
    .map((s): GridSlot => {
      const here = meetings.filter((m) => m.startsAt.getTime() === s.startsAt.getTime()).map((m) => gridMeeting(m, zone, now));
      const tables: (GridMeeting | null)[] = Array.from({ length: settings.tableCount }, (_, i) => here.find((m) => m.table === i + 1) ?? null);
      return { start: s.start, end: s.end, started: s.startsAt.getTime() <= now.getTime(), tables, booths: here.filter((m) => m.table === null), freeTables: tables.filter((t) => t === null).length };
    });
  return { edition, settings, days, day, badDay, slots, tableCount: settings.tableCount, bookedCount: meetings.length };
}

/**
 * Marks (or clears) a participant of a booked meeting as absent. Only once the meeting's slot has
 * started; one conditional update, so a mark never lands on a meeting that was cancelled meanwhile.
 */
export async function markNoShow(actor: Actor | undefined, meetingId: unknown, userId: unknown, absent: boolean, now: Date): Promise<MeetingDoc> {
  assertRole(actor, 'organizer');
  if (typeof meetingId !== 'string' || !/^[a-f0-9]{24}$/i.test(meetingId) || typeof userId !== 'string' || !/^[a-f0-9]{24}$/i.test(userId)) throw new NotFoundError();
  const _id = new Types.ObjectId(meetingId);
  const user = new Types.ObjectId(userId);
  const update = absent ? { $addToSet: { noShow: user } } : { $pull: { noShow: user } };
  const updated = await Meeting.findOneAndUpdate({ _id, status: 'booked', 'sides.user': user, startsAt: trusted({ $lte: now }) }, update, { returnDocument: 'after' }).lean<MeetingDoc>();
  if (updated) return updated;
  const meeting = await Meeting.findOne({ _id, 'sides.user': user }).lean<MeetingDoc>();
  if (!meeting) throw new NotFoundError();
  if (meeting.status !== 'booked') throw new ConflictError('agenda:errors.cancelled');
  throw new ConflictError('agenda:errors.notStarted');
}

/** The day of a meeting (to return to its grid after a no-show mark). */
export async function meetingDay(meetingId: string): Promise<string | null> {
  const m = await Meeting.findById(meetingId, { day: 1 }).lean<{ day: string }>();
  return m?.day ?? null;
}

function cell(v: string | number): string {
  const s = String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The edition's meetings as CSV (one day, or all days): UTF-8 with a BOM so spreadsheet programs
 * read Chinese names; each side's company and person as registered, its ASEM member's code and
 * names in English and Chinese.
 */
export async function gridCsv(actor: Actor | undefined, requestedDay: unknown): Promise<{ csv: string; name: string }> {
  assertRole(actor, 'organizer');
  const { edition, settings } = await editionSettings();
  if (!edition || !settings) throw new NotFoundError();
  const day = typeof requestedDay === 'string' && requestedDay !== '' ? requestedDay : null;
  if (day !== null && !isLocalDate(day)) throw new NotFoundError();
  const [meetings, members] = await Promise.all([
    Meeting.find({ edition: edition._id, ...(day ? { day } : {}) }).sort({ startsAt: 1, table: 1 }).lean<MeetingDoc[]>(),
    listAsemMembers('en'),
  ]);
  const names = new Map(members.map((m) => [m.code, m.name]));
  const zone = settings.timeZone;
  const header = ['date', 'start', 'end', 'time_zone', 'table', 'booth', 'status'];
  for (const side of ['a', 'b']) header.push(`${side}_company`, `${side}_person`, `${side}_member`, `${side}_member_en`, `${side}_member_zh`, `${side}_no_show`, `${side}_took_place`, `${side}_follow_up`);
  const rows = meetings.map((m) => {
    const row: (string | number)[] = [m.day, localTime(m.startsAt, zone), localTime(m.endsAt, zone), zone, m.table ?? '', m.booth ?? '', m.status];
    for (const s of m.sides.slice(0, 2)) {
      const n = names.get(s.member);
      const o = m.outcomes.find((x) => String(x.user) === String(s.user));
      row.push(s.companyName, s.name, s.member, n?.en ?? '', n?.['zh-CN'] ?? '', m.noShow.some((u) => String(u) === String(s.user)) ? 'yes' : 'no', o ? (o.tookPlace ? 'yes' : 'no') : '', o ? o.followUp : '');
    }
    return row;
  });
  const csv = '\uFEFF' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  return { csv, name: `meetings-${edition.code ?? 'edition'}${day ? `-${day}` : ''}.csv` };
}
