/**
 * The meetings module's front door: what other modules may use of the meetings at the hall (the
 * figures), the sessions of an edition and the slots they give, and the invitations contract.
 */
export { meetingFigures, isHeld, PAIRS, type MeetingFigures, type MeetingCounts, type Pair } from './figures';
export { settingsOf } from './settings';
export { slotsOf, slotAt, localDate, localTime, zonedToUtc, isTimeZone } from './slots';
export type { MeetingInvitations, MeetingInvitationDeps } from './contract';
