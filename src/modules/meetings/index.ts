/**
 * The meetings module's front door: the sessions of an edition and the slots they give (for pages
 * composed elsewhere, e.g. the agenda and the organizer's grid), and the invitations contract.
 */
export { settingsOf } from './settings';
export { slotsOf, slotAt, localDate, localTime, zonedToUtc, isTimeZone } from './slots';
export type { MeetingInvitations, MeetingInvitationDeps } from './contract';
export { Meeting, MeetingParticipant, MeetingRequest, MeetingSettings, type MeetingDoc, type MeetingParticipantDoc, type MeetingSettingsDoc } from './model';
