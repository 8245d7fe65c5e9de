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
import type { Language } from '../../kernel';
import type { CalendarEntry } from './service';
import { vtimezoneOf, wallClock } from '../../web/zones';
import { zonedInstant } from './times';

const DAY_MS = 24 * 60 * 60 * 1000;

function timesOf(e: CalendarEntry, firstDay: Date, lastDay: Date): { start: Date; end: Date; allDay?: boolean; floating?: boolean; timezone?: string } {
  if (!e.startTime || !e.endTime) {
    // DTEND of an all-day event is the day after.
    return { start: firstDay, end: new Date(lastDay.getTime() + DAY_MS), allDay: true, floating: true };
  }
  if (vtimezoneOf(e.timeZone)) return { start: wallClock(firstDay.toISOString().slice(0, 10), e.startTime), end: wallClock(lastDay.toISOString().slice(0, 10), e.endTime), timezone: e.timeZone };
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
