/**
 * The messages module's front door: who may write to whom, the liaisons to list, unread counts.
 */
export { mayContact, listLiaisons, type Contact, type Party } from './contacts';
export { countUnreadMessages } from './service';
export { countPendingAnnouncements } from './announcements';
export { openContactConversation, type MessagesDeps } from './service';
/** The models themselves, only for tools that fill a database in bulk (src/demo) and their tests. */
export { Conversation, ConversationMembership, PrivateMessage, Announcement, AnnouncementReceipt } from './model';
/** The organizer's figures: messages, conversations and announcements per month. */
export { messageActivityPerMonth } from './figures';
