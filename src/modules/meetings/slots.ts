/**
 * The meeting slots of an edition, computed from its sessions: each meeting day's windows (local
 * time in the edition's zone) cut into slots of `slotMinutes` followed by `breakMinutes`. A slot is
 * identified by its start in UTC; the same settings always give the same slots.
 *
 * Zone arithmetic is src/web/zones.ts (the platform's Intl time-zone data), so a zone with daylight
 * saving (Europe/Berlin) is handled as well as Asia/Shanghai.
 */
import { minutesOf, zonedToUtc } from '../../web/zones';
import type { MeetingSettingsDoc } from './model';

export { isLocalDate, isLocalTime, isTimeZone, localDate, localTime, minutesOf, offsetMinutes, zonedToUtc } from '../../web/zones';

export interface Slot {
  startsAt: Date;
  endsAt: Date;
  /** Local date and times in the edition's zone. */
  day: string;
  start: string;
  end: string;
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
