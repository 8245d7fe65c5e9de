/**
 * Time zones: local dates and times of an IANA zone ("YYYY-MM-DD", "HH:MM") and the instants they
 * name, from the platform's Intl time-zone data (no offsets are hard-coded, daylight saving is
 * handled), and the VTIMEZONE blocks calendar files carry (timezones-ical-library). Used by the
 * meetings at the hall and the events calendar alike.
 */
import { tzlib_get_ical_block, tzlib_get_timezones } from 'timezones-ical-library';

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

/** The UTC instant of a local date and time in a zone; a time skipped by a daylight-saving change falls forward. */
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

/**
 * ical-generator writes a plain Date with a TZID from the Date's local-time fields (the process's
 * zone), so it is handed a Date whose local fields are the wall-clock date and time to write.
 */
export function wallClock(date: string, time: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  return new Date(y, mo - 1, d, h, mi, 0, 0);
}

let knownZones: Set<string> | null = null;

/**
 * The VTIMEZONE block of an IANA zone, or null for a zone the library does not know. A zone the
 * library keeps as a link (Asia/Kuala_Lumpur → Asia/Singapore) gets the block of its target under
 * its own name, so the block's TZID is the one the DTSTART names.
 */
export function vtimezoneOf(zone: string): string | null {
  knownZones ??= new Set(tzlib_get_timezones() as string[]);
  if (!knownZones.has(zone)) return null;
  try {
    const block = tzlib_get_ical_block(zone);
    const text = Array.isArray(block) ? block[0] : block;
    if (typeof text !== 'string' || !text.startsWith('BEGIN:VTIMEZONE')) return null;
    return text.replace(/^TZID:.*$/m, `TZID:${zone}`).replace(/^X-LIC-LOCATION:.*$/m, `X-LIC-LOCATION:${zone}`);
  } catch {
    return null;
  }
}
