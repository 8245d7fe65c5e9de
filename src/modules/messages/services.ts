/**
 * The messages service, built once at start-up with its dependencies (conversations and
 * announcements alike); every method takes the actor first.
 */
import type { Actor } from '../../kernel';

export type { MessagesDeps } from './service';
import {
  acknowledgeAnnouncement,
  announcementStatus,
  countPendingAnnouncements,
  listAnnouncements,
  listPendingAnnouncements,
  listReceivedAnnouncements,
  readAnnouncement,
  remindPending,
  sendAnnouncement,
  type AnnouncementInput,
} from './announcements';
import {
  conversationHeader,
  countUnreadMessages,
  listConversations,
  readConversation,
  openContactConversation,
  recipientFor,
  replyToConversation,
  startConversation,
  type MessagesDeps,
  type NewConversationInput,
} from './service';
export function createMessagesService(deps: MessagesDeps) {
  return {
    startConversation: (actor: Actor, input: NewConversationInput) => startConversation(deps, actor, input),
    readConversation: (actor: Actor, conversationId: string, opts: { page?: number | undefined; markRead?: boolean } = {}) => readConversation(deps, actor, conversationId, opts),
    replyToConversation: (actor: Actor, conversationId: string, body: string) => replyToConversation(deps, actor, conversationId, body),
    conversationHeader,
    listConversations,
    countUnreadMessages,
    recipientFor: (actor: Actor, to: unknown) => recipientFor(deps, actor, to),
    openContactConversation: (input: { from: string; to: string; subject: string; body: string }) => openContactConversation(deps, input),
    sendAnnouncement: (actor: Actor, input: AnnouncementInput) => sendAnnouncement(deps, actor, input),
    remindPending: (actor: Actor, announcementId: string) => remindPending(deps, actor, announcementId),
    acknowledgeAnnouncement: (actor: Actor, announcementId: string) => acknowledgeAnnouncement(deps, actor, announcementId),
    announcementStatus,
    listAnnouncements,
    listReceivedAnnouncements,
    listPendingAnnouncements,
    countPendingAnnouncements,
    readAnnouncement,
  };
}

export type MessagesService = ReturnType<typeof createMessagesService>;
