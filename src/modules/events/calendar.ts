/**
 * iCalendar files (RFC 5545) with ical-generator: one event, the public feed, an official's
 * private feed. The UID is the event's id; SEQUENCE rises with each edit, so a calendar that
 * imported the event replaces it.
 *
 * An event without times is whole days (floating dates, no zone needed). An event with start and
 * end times has timed DTSTART/DTEND in its own zone (DTSTART;TZID=Europe/Brussels:...) with the
 * zone's VTIMEZONE block from timezones-ical-library, so calendars show the right time in any
 * reader's zone, daylight saving included; a zone the library does not know is written as UTC
 * instants instead. The venue's zone is also named in the description.
 */
// ical-generator is ESM-first; its CommonJS build exports the factory as `default`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ical = require('ical-generator').default as typeof import('ical-generator').default;
import { tzlib_get_ical_block, tzlib_get_timezones } from 'timezones-ical-library';
import type { Language } from '../../kernel';
import type { CalendarEntry } from './service';
import { zonedInstant } from './times';

const DAY_MS = 24 * 60 * 60 * 1000;

let knownZones: Set<string> | null = null;

/**
 * The VTIMEZONE block of an IANA zone, or null for a zone the library does not know. A zone the
 * library keeps as a link (Asia/Kuala_Lumpur → Asia/Singapore) gets the block of its target under
 * its own name, so the block's TZID is the one the event's DTSTART names.
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

/**
 * ical-generator writes a plain Date with a TZID from the Date's local-time fields (the process's
 * zone), so it is handed a Date whose local fields are the wall-clock time of the event.
 */
function wallClock(day: Date, time: string): Date {
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  return new Date(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hh, mm, 0, 0);
}

function timesOf(e: CalendarEntry, firstDay: Date, lastDay: Date): { start: Date; end: Date; allDay?: boolean; floating?: boolean; timezone?: string } {
  if (!e.startTime || !e.endTime) {
    // DTEND of an all-day event is the day after.
    return { start: firstDay, end: new Date(lastDay.getTime() + DAY_MS), allDay: true, floating: true };
  }
  if (vtimezoneOf(e.timeZone)) return { start: wallClock(firstDay, e.startTime), end: wallClock(lastDay, e.endTime), timezone: e.timeZone };
  return { start: zonedInstant(firstDay, e.startTime, e.timeZone), end: zonedInstant(lastDay, e.endTime, e.timeZone) };
}

export function icsOf(entries: CalendarEntry[], opts: { name: string; baseUrl: string; lang: Language }): string {
  const cal = ical({
    name: opts.name,
    prodId: { company: 'ASEM SME Exchange', product: 'events', language: opts.lang === 'zh-CN' ? 'ZH' : 'EN' },
    // No calendar-wide zone (the name stays empty): each timed event names its own, and the
    // generator adds one VTIMEZONE per zone used.
    timezone: { name: '', generator: (zone: string) => vtimezoneOf(zone) },
  });
  for (const e of entries) {
    const firstDay = new Date(Date.UTC(e.startsAt.getUTCFullYear(), e.startsAt.getUTCMonth(), e.startsAt.getUTCDate()));
    const lastDay = new Date(Date.UTC(e.endsAt.getUTCFullYear(), e.endsAt.getUTCMonth(), e.endsAt.getUTCDate()));
    cal.createEvent({
      id: `${e.id}@asem-sme-exchange`,
      sequence: e.sequence,
      ...timesOf(e, firstDay, lastDay),
      summary: e.title[opts.lang] || e.title.en,
      description: [e.description[opts.lang] || e.description.en, `${e.city}${e.venue ? ', ' + e.venue : ''} (${e.timeZone})`].filter(Boolean).join('\n\n'),
      location: [e.venue, e.city].filter(Boolean).join(', '),
      url: `${opts.baseUrl}${e.url}`,
    });
  }
  return cal.toString();
}
