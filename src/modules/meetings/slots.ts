/**
 * The meeting slots of an edition, computed from its sessions: each meeting day's windows (local
 * time in the edition's zone) cut into slots of `slotMinutes` followed by `breakMinutes`. A slot is
 * identified by its start in UTC; the same settings always give the same slots.
 *
 * Zone arithmetic uses the platform's Intl time-zone data (no offsets are hard-coded), so a zone
 * with daylight saving (Europe/Berlin) is handled as well as Asia/Shanghai.
 */
import type { MeetingSettingsDoc } from './model';

export interface Slot {
  startsAt: Date;
  endsAt: Date;
  /** Local date and times in the edition's zone. */
  day: string;
  start: string;
  end: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isLocalDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

export function isLocalTime(value: string): boolean {
  return TIME.test(value);
}

/** Minutes since midnight of "HH:MM". */
export function minutesOf(time: string): number {
  const m = TIME.exec(time);
  if (!m) throw new RangeError(`not a time: ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function partsIn(at: Date, zone: string): Record<string, number> {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The zone's offset from UTC at an instant, in minutes (480 for Asia/Shanghai). */
export function offsetMinutes(at: Date, zone: string): number {
  const p = partsIn(at, zone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
}

/** The UTC instant of a local date and time in a zone. */
export function zonedToUtc(date: string, time: string, zone: string): Date {
  const d = DATE.exec(date);
  if (!d) throw new RangeError(`not a date: ${date}`);
  const minutes = minutesOf(time);
  const naive = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Math.floor(minutes / 60), minutes % 60);
  // Two passes settle the offset on either side of a daylight-saving change.
  let guess = naive - offsetMinutes(new Date(naive), zone) * 60000;
  guess = naive - offsetMinutes(new Date(guess), zone) * 60000;
  return new Date(guess);
}

/** The local date ("YYYY-MM-DD") of an instant in a zone. */
export function localDate(at: Date, zone: string): string {
  const p = partsIn(at, zone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The local time ("HH:MM") of an instant in a zone. */
export function localTime(at: Date, zone: string): string {
  const p = partsIn(at, zone);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

function timeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Every slot of the sessions, by day then time. */
export function slotsOf(settings: Pick<MeetingSettingsDoc, 'days' | 'slotMinutes' | 'breakMinutes' | 'timeZone'>): Slot[] {
  const slots: Slot[] = [];
  const step = settings.slotMinutes + settings.breakMinutes;
  const days = [...settings.days].sort((a, b) => a.date.localeCompare(b.date));
  for (const day of days) {
    const windows = [...day.windows].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    for (const w of windows) {
      const end = minutesOf(w.end);
      for (let m = minutesOf(w.start); m + settings.slotMinutes <= end; m += step) {
        const start = timeOf(m);
        const finish = timeOf(m + settings.slotMinutes);
        slots.push({ startsAt: zonedToUtc(day.date, start, settings.timeZone), endsAt: zonedToUtc(day.date, finish, settings.timeZone), day: day.date, start, end: finish });
      }
    }
  }
  return slots;
}

/** The slot that starts at an instant, or null when no slot of the sessions starts then. */
export function slotAt(settings: Pick<MeetingSettingsDoc, 'days' | 'slotMinutes' | 'breakMinutes' | 'timeZone'>, startsAt: Date): Slot | null {
  return slotsOf(settings).find((s) => s.startsAt.getTime() === startsAt.getTime()) ?? null;
}
