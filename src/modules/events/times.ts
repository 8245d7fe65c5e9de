/**
 * Wall-clock times in an event's time zone: an event's optional start and end times are kept as
 * typed ("09:30") beside its days, and turned into instants here for the calendar files.
 */
import { zonedToUtc } from '../../web/zones';

/**
 * The instant at which the clocks of `timeZone` show `time` (HH:MM) on `day` (a UTC midnight
 * standing for a calendar day). A time skipped by a daylight-saving change falls forward.
 */
export function zonedInstant(day: Date, time: string, timeZone: string): Date {
  return zonedToUtc(day.toISOString().slice(0, 10), time, timeZone);
}
