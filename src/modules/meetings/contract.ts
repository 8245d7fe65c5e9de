/**
 * How the booking service tells people about booked and cancelled meetings: the calendar
 * invitations (an iCalendar METHOD:REQUEST on booking or change, METHOD:CANCEL on cancellation,
 * same UID, SEQUENCE from the meeting) are built by the invitations part of the module; the booking
 * service only calls these after its write has succeeded.
 */
import type { Clock } from '../../kernel';
import type { Mailer } from '../../web/mail';
import type { MeetingDoc, MeetingSettingsDoc } from './model';

export interface MeetingInvitations {
  /** A meeting was booked (or moved: its sequence was raised): both sides get the invitation. */
  booked(meeting: MeetingDoc, settings: MeetingSettingsDoc): Promise<void>;
  /** A meeting was cancelled: both sides get the cancellation for the same UID. */
  cancelled(meeting: MeetingDoc, settings: MeetingSettingsDoc): Promise<void>;
}

export interface MeetingInvitationDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
}
