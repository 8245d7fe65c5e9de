/**
 * Tells both sides of a meeting that it was booked or cancelled: a notification e-mail in each
 * recipient's language with the time in the edition's zone and the place (table or booth).
 */
import { reachablePeople } from '../accounts';
import type { MeetingInvitationDeps, MeetingInvitations } from './contract';
import type { MeetingDoc, MeetingSettingsDoc } from './model';
import { localTime } from './slots';

export function createMeetingInvitations(deps: MeetingInvitationDeps): MeetingInvitations {
  async function send(kind: 'booked' | 'cancelled', meeting: MeetingDoc, settings: MeetingSettingsDoc): Promise<void> {
    const people = await reachablePeople(meeting.sides.map((s) => s.user));
    for (const person of people) {
      const other = meeting.sides.find((s) => String(s.user) !== person.id);
      if (!other) continue;
      const params = {
        name: other.companyName ? `${other.name} (${other.companyName})` : other.name,
        day: meeting.day,
        start: localTime(meeting.startsAt, settings.timeZone),
        end: localTime(meeting.endsAt, settings.timeZone),
        zone: settings.timeZone,
        place: meeting.table !== null ? String(meeting.table) : (meeting.booth ?? ''),
      };
      await deps.mailer.notify(person, {
        subject: { key: `meetings:emails.${kind}.subject`, params },
        lines: [{ key: `meetings:emails.${kind}.body`, params }, { key: meeting.table !== null ? 'meetings:emails.atTable' : 'meetings:emails.atBooth', params }],
        action: { label: { key: 'meetings:emails.openMeetings' }, url: `${deps.baseUrl}/fair/meetings/requests` },
      });
    }
  }
  return {
    booked: (meeting, settings) => send('booked', meeting, settings),
    cancelled: (meeting, settings) => send('cancelled', meeting, settings),
  };
}
