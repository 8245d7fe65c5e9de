/**
 * The organizer's meeting sessions per fair edition: meeting days (within the fair's dates) with
 * daily windows, slot length and break, tables and their area on the hall plan, the time zone, the
 * registration window and the daily cap. A save never silently drops a booked meeting: when a slot
 * holding one (or a table above the new count) would disappear, the save is refused and the
 * meetings are listed.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor, Clock, FieldErrors } from '../../kernel';
import { ConflictError, ValidationError, assertRole } from '../../kernel';
import { fields } from '../../web/forms';
import { recordAudit } from '../audit';
import type { FairEditionDoc } from '../fair';
import { FairEdition } from '../fair';
import { Meeting, MeetingSettings, type MeetingArea, type MeetingDay, type MeetingDoc, type MeetingSettingsDoc } from './model';
import { isLocalDate, isLocalTime, isTimeZone, localDate, localTime, minutesOf, slotsOf, zonedToUtc } from './slots';

export const DEFAULT_ZONE = 'Asia/Shanghai';

const localDateTime = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'validation:date');
const optionalMetres = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number().min(0).max(1000).optional());

export const SettingsForm = z.object({
  /** One line per meeting day: "2027-09-15 09:00-12:00 14:00-17:00". */
  schedule: z.string().trim().min(1).max(4000),
  slotMinutes: fields.int(10, 120),
  breakMinutes: fields.int(0, 60),
  tableCount: fields.int(0, 500),
  areaX: optionalMetres,
  areaY: optionalMetres,
  areaWidth: optionalMetres,
  areaDepth: optionalMetres,
  timeZone: z.string().trim().min(1).max(60).refine(isTimeZone, 'meetings:settings.errors.timeZone'),
  registrationOpensAt: localDateTime,
  registrationClosesAt: localDateTime,
  dailyCap: fields.int(1, 50),
});
export type SettingsInput = z.infer<typeof SettingsForm>;

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The meeting days as the form's text: one line per day with its windows. */
export function scheduleText(days: MeetingDay[]): string {
  return [...days]
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((d) => `${d.date} ${d.windows.map((w) => `${w.start}-${w.end}`).join(' ')}`)
    .join('\n');
}

/** Parses the schedule text, or gives the message key of the first problem. */
export function parseSchedule(text: string, edition: Pick<FairEditionDoc, 'startsOn' | 'endsOn'>): MeetingDay[] | { key: string; params?: Record<string, string | number> } {
  const days: MeetingDay[] = [];
  const first = isoDate(edition.startsOn);
  const last = isoDate(edition.endsOn);
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return { key: 'validation:required' };
  for (const [i, line] of lines.entries()) {
    const [date, ...parts] = line.split(/\s+/);
    const lineNo = i + 1;
    if (!date || !isLocalDate(date)) return { key: 'meetings:settings.errors.dayFormat', params: { line: lineNo } };
    if (date < first || date > last) return { key: 'meetings:settings.errors.dayOutsideFair', params: { date, first, last } };
    if (days.some((d) => d.date === date)) return { key: 'meetings:settings.errors.dayTwice', params: { date } };
    if (!parts.length) return { key: 'meetings:settings.errors.dayFormat', params: { line: lineNo } };
    const windows = [];
    for (const part of parts) {
      const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(part);
      if (!m || !isLocalTime(m[1]!) || !isLocalTime(m[2]!)) return { key: 'meetings:settings.errors.dayFormat', params: { line: lineNo } };
      if (minutesOf(m[2]!) <= minutesOf(m[1]!)) return { key: 'meetings:settings.errors.windowOrder', params: { date, window: part } };
      windows.push({ start: m[1]!, end: m[2]! });
    }
    windows.sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    for (let w = 1; w < windows.length; w++) {
      if (minutesOf(windows[w]!.start) < minutesOf(windows[w - 1]!.end)) return { key: 'meetings:settings.errors.windowsOverlap', params: { date } };
    }
    days.push({ date, windows });
  }
  return days.sort((a, b) => a.date.localeCompare(b.date));
}

export type SettingsData = Omit<MeetingSettingsDoc, '_id' | 'edition' | 'version' | 'createdAt' | 'updatedAt'>;

/** The input checked against the edition (dates inside the fair, windows that hold a slot, opens < closes). */
export function settingsData(input: SettingsInput, edition: Pick<FairEditionDoc, 'startsOn' | 'endsOn'>): SettingsData {
  const errors: FieldErrors = {};
  const parsed = parseSchedule(input.schedule, edition);
  let days: MeetingDay[] = [];
  if (!Array.isArray(parsed)) errors.schedule = parsed;
  else {
    days = parsed;
    for (const day of days) {
      for (const w of day.windows) {
        if (minutesOf(w.end) - minutesOf(w.start) < input.slotMinutes) {
          errors.schedule = { key: 'meetings:settings.errors.windowTooShort', params: { date: day.date, window: `${w.start}-${w.end}`, minutes: input.slotMinutes } };
          break;
        }
      }
    }
  }
  const opens = zonedToUtc(input.registrationOpensAt.slice(0, 10), input.registrationOpensAt.slice(11, 16), input.timeZone);
  const closes = zonedToUtc(input.registrationClosesAt.slice(0, 10), input.registrationClosesAt.slice(11, 16), input.timeZone);
  if (!isLocalDate(input.registrationOpensAt.slice(0, 10)) || !isLocalTime(input.registrationOpensAt.slice(11, 16))) errors.registrationOpensAt = { key: 'validation:date' };
  if (!isLocalDate(input.registrationClosesAt.slice(0, 10)) || !isLocalTime(input.registrationClosesAt.slice(11, 16))) errors.registrationClosesAt = { key: 'validation:date' };
  if (!errors.registrationOpensAt && !errors.registrationClosesAt && closes <= opens) errors.registrationClosesAt = { key: 'meetings:settings.errors.closesBeforeOpens' };
  const areaParts = [input.areaX, input.areaY, input.areaWidth, input.areaDepth];
  let area: MeetingArea | null = null;
  if (areaParts.some((v) => v !== undefined)) {
    if (areaParts.some((v) => v === undefined)) errors.areaX = { key: 'meetings:settings.errors.areaIncomplete' };
    else if (input.areaWidth! < 1 || input.areaDepth! < 1) errors.areaWidth = { key: 'meetings:settings.errors.areaTooSmall' };
    else area = { x: input.areaX!, y: input.areaY!, width: input.areaWidth!, depth: input.areaDepth! };
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return {
    timeZone: input.timeZone,
    days,
    slotMinutes: input.slotMinutes,
    breakMinutes: input.breakMinutes,
    tableCount: input.tableCount,
    area,
    registrationOpensAt: opens,
    registrationClosesAt: closes,
    dailyCap: input.dailyCap,
  };
}

export function settingsFormValues(s: SettingsData): Record<string, string> {
  const local = (d: Date) => `${localDate(d, s.timeZone)}T${localTime(d, s.timeZone)}`;
  return {
    schedule: scheduleText(s.days),
    slotMinutes: String(s.slotMinutes),
    breakMinutes: String(s.breakMinutes),
    tableCount: String(s.tableCount),
    areaX: s.area ? String(s.area.x) : '',
    areaY: s.area ? String(s.area.y) : '',
    areaWidth: s.area ? String(s.area.width) : '',
    areaDepth: s.area ? String(s.area.depth) : '',
    timeZone: s.timeZone,
    registrationOpensAt: local(s.registrationOpensAt),
    registrationClosesAt: local(s.registrationClosesAt),
    dailyCap: String(s.dailyCap),
  };
}

export async function settingsOf(editionId: Types.ObjectId | string): Promise<MeetingSettingsDoc | null> {
  return MeetingSettings.findOne({ edition: new Types.ObjectId(String(editionId)) }).lean<MeetingSettingsDoc>();
}

/**
 * What a new edition's form starts from: a copy of the latest earlier edition's sessions (area,
 * tables, slot length, windows moved to the new fair's days), or plain defaults.
 */
export async function startingSettings(edition: FairEditionDoc, now: Date): Promise<SettingsData> {
  const first = isoDate(edition.startsOn);
  const last = isoDate(edition.endsOn);
  const fairDays: string[] = [];
  for (let d = first; d <= last && fairDays.length < 31; d = addDays(d, 1)) fairDays.push(d);
  const closes = zonedToUtc(addDays(first, -1), '18:00', DEFAULT_ZONE);
  const opens = now < closes ? now : new Date(closes.getTime() - 86_400_000);
  const earlier = await FairEdition.find({ _id: trusted({ $ne: edition._id }), startsOn: trusted({ $lt: edition.startsOn }) }, { _id: 1, startsOn: 1 })
    .sort({ startsOn: -1 })
    .lean<FairEditionDoc[]>();
  const candidates = earlier.length ? await MeetingSettings.find({ edition: trusted({ $in: earlier.map((e) => e._id) }) }).lean<MeetingSettingsDoc[]>() : [];
  // The latest earlier edition that had sessions.
  const previousEdition = earlier.find((e) => candidates.some((c) => String(c.edition) === String(e._id)));
  const previous = previousEdition ? candidates.find((c) => String(c.edition) === String(previousEdition._id))! : null;
  if (previous) {
    const prevFirst = isoDate(previousEdition!.startsOn);
    const days = previous.days
      .map((d) => ({ date: addDays(first, daysBetween(prevFirst, d.date)), windows: d.windows.map((w) => ({ start: w.start, end: w.end })) }))
      .filter((d) => d.date >= first && d.date <= last);
    const span = previous.registrationClosesAt.getTime() - previous.registrationOpensAt.getTime();
    const prevCloses = zonedToUtc(addDays(first, -1), localTime(previous.registrationClosesAt, previous.timeZone), previous.timeZone);
    return {
      timeZone: previous.timeZone,
      days,
      slotMinutes: previous.slotMinutes,
      breakMinutes: previous.breakMinutes,
      tableCount: previous.tableCount,
      area: previous.area ? { ...previous.area } : null,
      registrationOpensAt: new Date(Math.min(now.getTime(), prevCloses.getTime() - Math.max(span, 86_400_000))),
      registrationClosesAt: prevCloses,
      dailyCap: previous.dailyCap,
    };
  }
  return {
    timeZone: DEFAULT_ZONE,
    days: fairDays.map((date) => ({ date, windows: [{ start: '09:00', end: '12:00' }, { start: '14:00', end: '17:00' }] })),
    slotMinutes: 30,
    breakMinutes: 0,
    tableCount: 10,
    area: null,
    registrationOpensAt: opens,
    registrationClosesAt: closes,
    dailyCap: 8,
  };
}

/** Booked meetings the new sessions would drop: their slot (same start and end) is gone, or their table is. */
export async function meetingsDroppedBy(editionId: Types.ObjectId, data: Pick<SettingsData, 'days' | 'slotMinutes' | 'breakMinutes' | 'timeZone' | 'tableCount'>): Promise<MeetingDoc[]> {
  const booked = await Meeting.find({ edition: editionId, status: 'booked' }).sort({ startsAt: 1, table: 1 }).lean<MeetingDoc[]>();
  if (!booked.length) return [];
  const kept = new Set(slotsOf(data).map((s) => `${s.startsAt.getTime()}-${s.endsAt.getTime()}`));
  return booked.filter((m) => !kept.has(`${m.startsAt.getTime()}-${m.endsAt.getTime()}`) || (m.table !== null && m.table > data.tableCount));
}

export class SessionsDropMeetingsError extends ConflictError {
  readonly meetings: MeetingDoc[];
  constructor(meetings: MeetingDoc[]) {
    super('meetings:settings.errors.dropsMeetings', { count: meetings.length });
    this.meetings = meetings;
  }
}

export async function saveSettings(deps: { clock: Clock }, actor: Actor, edition: FairEditionDoc, input: SettingsInput): Promise<MeetingSettingsDoc> {
  assertRole(actor, 'organizer');
  const data = settingsData(input, edition);
  const dropped = await meetingsDroppedBy(edition._id, data);
  if (dropped.length) throw new SessionsDropMeetingsError(dropped);
  const saved = await MeetingSettings.findOneAndUpdate(
    { edition: edition._id },
    { $set: data, $inc: { version: 1 } },
    { upsert: true, returnDocument: 'after' },
  ).lean<MeetingSettingsDoc>();
  await recordAudit({ actor, action: 'meetings.settings.save', targetType: 'FairEdition', targetId: String(edition._id), after: settingsFormValues(data), at: deps.clock() });
  return saved!;
}
