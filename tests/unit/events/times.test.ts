/** Wall-clock times of an event's zone turned into instants, on both sides of daylight-saving changes. */
import { zonedInstant } from '../../../src/modules/events/times';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('zonedInstant', () => {
  it('uses the offset in force on that day', () => {
    expect(zonedInstant(day('2027-01-15'), '10:00', 'Europe/Brussels').toISOString()).toBe('2027-01-15T09:00:00.000Z');
    expect(zonedInstant(day('2027-07-15'), '10:00', 'Europe/Brussels').toISOString()).toBe('2027-07-15T08:00:00.000Z');
    expect(zonedInstant(day('2027-04-10'), '09:30', 'Asia/Kuala_Lumpur').toISOString()).toBe('2027-04-10T01:30:00.000Z');
    expect(zonedInstant(day('2027-04-10'), '23:45', 'Asia/Kolkata').toISOString()).toBe('2027-04-10T18:15:00.000Z');
    expect(zonedInstant(day('2027-04-10'), '00:00', 'UTC').toISOString()).toBe('2027-04-10T00:00:00.000Z');
  });

  it('is right on the days the clocks change, after the change', () => {
    // Brussels: 2027-03-28 02:00 → 03:00 (UTC+2 from 01:00 UTC); 2027-10-31 03:00 → 02:00.
    expect(zonedInstant(day('2027-03-28'), '10:00', 'Europe/Brussels').toISOString()).toBe('2027-03-28T08:00:00.000Z');
    expect(zonedInstant(day('2027-03-28'), '01:30', 'Europe/Brussels').toISOString()).toBe('2027-03-28T00:30:00.000Z');
    expect(zonedInstant(day('2027-10-31'), '12:00', 'Europe/Brussels').toISOString()).toBe('2027-10-31T11:00:00.000Z');
  });

  it('moves a time skipped by the spring change forward, never to another day', () => {
    // 02:30 does not exist that night in Brussels: it becomes 03:30 local (01:30 UTC).
    expect(zonedInstant(day('2027-03-28'), '02:30', 'Europe/Brussels').toISOString()).toBe('2027-03-28T01:30:00.000Z');
  });
});
