/**
 * Wall-clock times in an event's time zone: an event's optional start and end times are kept as
 * typed ("09:30") beside its days, and turned into instants here for the calendar files.
 */

/** The zone's offset from UTC at that instant, in milliseconds (local − UTC). */
function offsetAt(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the clocks of `timeZone` show `time` (HH:MM) on `day` (a UTC midnight
 * standing for a calendar day). A time skipped by a daylight-saving change falls forward.
 */
export function zonedInstant(day: Date, time: string, timeZone: string): Date {
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hh, mm);
  let guess = wall - offsetAt(new Date(wall), timeZone);
  // A second pass settles guesses made across an offset change.
  guess = wall - offsetAt(new Date(guess), timeZone);
  return new Date(guess);
}
