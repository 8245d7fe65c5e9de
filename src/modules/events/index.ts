/**
 * The events module's front door: the officials' calendar, delegations and working documents.
 * Other modules read the calendar (e.g. a home section) through here.
 */
export { calendar, isOfficial, type CalendarEntry } from './service';
export { OfficialEvent, Delegation, WorkingDocument, DocumentComment } from './model';
