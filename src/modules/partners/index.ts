/**
 * The partners module's front door: whether two SMEs have an accepted contact (the messages
 * module's one extra who-may-write door, wired in src/modules/index.ts), and whether one company
 * blocked another.
 */
export { hasAcceptedContact, isBlockedBetween } from './contacts';
/** The organizer's figures: opportunities and contact requests per month. */
export { contactRequestsPerMonth, opportunitiesPerMonth } from './figures';
