/**
 * iCalendar files (RFC 5545) with ical-generator: one event, the public feed, an official's
 * private feed. Events are whole days (the meetings' dates); the venue's time zone is named in the
 * description, the dates need none.
 */
// ical-generator is ESM-first; its CommonJS build exports the factory as `default`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ical = require('ical-generator').default as typeof import('ical-generator').default;
import type { Language } from '../../kernel';
import type { CalendarEntry } from './service';

const DAY_MS = 24 * 60 * 60 * 1000;

export function icsOf(entries: CalendarEntry[], opts: { name: string; baseUrl: string; lang: Language }): string {
  const cal = ical({ name: opts.name, prodId: { company: 'ASEM SME Exchange', product: 'events', language: opts.lang === 'zh-CN' ? 'ZH' : 'EN' } });
  for (const e of entries) {
    const start = new Date(Date.UTC(e.startsAt.getUTCFullYear(), e.startsAt.getUTCMonth(), e.startsAt.getUTCDate()));
    const lastDay = new Date(Date.UTC(e.endsAt.getUTCFullYear(), e.endsAt.getUTCMonth(), e.endsAt.getUTCDate()));
    cal.createEvent({
      id: `${e.id}@asem-sme-exchange`,
      start,
      end: new Date(lastDay.getTime() + DAY_MS), // DTEND of an all-day event is the day after
      allDay: true,
      summary: e.title[opts.lang] || e.title.en,
      description: [e.description[opts.lang] || e.description.en, `${e.city}${e.venue ? ', ' + e.venue : ''} (${e.timeZone})`].filter(Boolean).join('\n\n'),
      location: [e.venue, e.city].filter(Boolean).join(', '),
      url: `${opts.baseUrl}${e.url}`,
      floating: true,
    });
  }
  return cal.toString();
}
