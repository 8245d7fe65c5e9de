/**
 * The messages module's front door: who may write to whom, the liaisons to list, unread counts.
 */
export { mayContact, listLiaisons, type Contact, type Party } from './contacts';
export { countUnreadMessages } from './service';
export { countPendingAnnouncements } from './announcements';
export { openContactConversation, type MessagesDeps } from './service';
