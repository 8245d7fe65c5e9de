/**
 * iCalendar files (RFC 5545) with ical-generator: one event, the public feed, an official's
 * private feed. An event without times is whole days (floating dates, no zone needed); an event
 * with start and end times has timed DTSTART/DTEND, written as UTC instants computed from the
 * wall-clock times in the event's zone (exact in every calendar, no VTIMEZONE needed). The venue's
 * zone is named in the description. The UID is the event's id; SEQUENCE rises with each edit, so
 * a calendar that imported the event replaces it.
 */
// ical-generator is ESM-first; its CommonJS build exports the factory as `default`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ical = require('ical-generator').default as typeof import('ical-generator').default;
import type { Language } from '../../kernel';
import type { CalendarEntry } from './service';
import { zonedInstant } from './times';

const DAY_MS = 24 * 60 * 60 * 1000;

export function icsOf(entries: CalendarEntry[], opts: { name: string; baseUrl: string; lang: Language }): string {
  const cal = ical({ name: opts.name, prodId: { company: 'ASEM SME Exchange', product: 'events', language: opts.lang === 'zh-CN' ? 'ZH' : 'EN' } });
  for (const e of entries) {
    const start = new Date(Date.UTC(e.startsAt.getUTCFullYear(), e.startsAt.getUTCMonth(), e.startsAt.getUTCDate()));
    const lastDay = new Date(Date.UTC(e.endsAt.getUTCFullYear(), e.endsAt.getUTCMonth(), e.endsAt.getUTCDate()));
    const timed = !!(e.startTime && e.endTime);
    cal.createEvent({
      id: `${e.id}@asem-sme-exchange`,
      sequence: e.sequence,
      ...(timed
        ? { start: zonedInstant(start, e.startTime!, e.timeZone), end: zonedInstant(lastDay, e.endTime!, e.timeZone) }
        : // DTEND of an all-day event is the day after
          { start, end: new Date(lastDay.getTime() + DAY_MS), allDay: true, floating: true }),
      summary: e.title[opts.lang] || e.title.en,
      description: [e.description[opts.lang] || e.description.en, `${e.city}${e.venue ? ', ' + e.venue : ''} (${e.timeZone})`].filter(Boolean).join('\n\n'),
      location: [e.venue, e.city].filter(Boolean).join(', '),
      url: `${opts.baseUrl}${e.url}`,
    });
  }
  return cal.toString();
}
