/**
 * The meetings module's front door: what other modules may use of the meetings at the hall.
 */
export { meetingFigures, isHeld, PAIRS, type MeetingFigures, type MeetingCounts, type Pair } from './figures';
export type { MeetingInvitations, MeetingInvitationDeps } from './contract';
