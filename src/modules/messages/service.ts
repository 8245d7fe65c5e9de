/**
 * Conversations: starting one, reading it (which marks it read), replying, the unread counts, and
 * the throttled notification e-mails. Only participants may see or post to a conversation; anyone
 * else — the organizer included — is told it does not exist.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor, Clock } from '../../kernel';
import { assertRole } from '../../kernel';
import { NotFoundError, ValidationError, isObjectId, objectIdOr404 } from '../../kernel';
import type { Mailer } from '../../web/mail';
import { fields } from '../../web/forms';
import { markdownExcerpt, renderMarkdown } from '../../web/markdown';
import { publicProfiles, reachablePeople } from '../accounts';
import type { Role } from '../../kernel';
import { findContacts, mayContact, type Contact, type Party } from './contacts';
import { Conversation, ConversationMembership, PrivateMessage, type ConversationDoc, type MembershipDoc, type MessageDoc } from './model';

export const SUBJECT_MAX = 200;
export const BODY_MAX = 10_000;
export const MAX_RECIPIENTS = 20;
export const MESSAGES_PER_PAGE = 20;
export const CONVERSATIONS_PER_PAGE = 20;

/**
 * Markdown is rendered through the shared sanitiser, so nothing dangerous can reach a page; but a
 * message that tries to carry active content is refused outright, so the writer sees why instead
 * of finding part of the text silently gone.
 */
const ACTIVE_CONTENT = [
  /<\s*\/?\s*(script|iframe|frame|frameset|object|embed|applet|style|form|input|button|textarea|select|svg|math|link|meta|base)\b/i,
  /<[a-z][^>]*[\s/](on[a-z]+|style|formaction|srcdoc)\s*=/i, // event handlers and the like in raw HTML
  /(\]\(\s*<?|<|^\s*\[[^\]\n]*\]:\s*<?|(href|src|action)\s*=\s*["']?)\s*(javascript|vbscript|data)\s*:/im, // script links
];

export const messageBody = () =>
  z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1).max(BODY_MAX))
    .refine((s) => !ACTIVE_CONTENT.some((re) => re.test(s)), 'messages:errors.unsafeContent');

export const NewConversationForm = z.object({
  recipients: fields.list(fields.objectId()).pipe(z.array(z.string()).min(1, 'messages:errors.noRecipient').max(MAX_RECIPIENTS)),
  subject: fields.text(SUBJECT_MAX),
  body: messageBody(),
});
export type NewConversationInput = z.infer<typeof NewConversationForm>;

export const ReplyForm = z.object({ body: messageBody() });

/** What conversations need (given by the messages service, services.ts). */
export interface MessagesDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  /**
   * The one door besides mayContact: two SMEs whose contact request was accepted may write to each
   * other. Given by the wiring (the partners module answers it), so messages imports no partner code.
   */
  acceptedContact?: (userA: string, userB: string) => Promise<boolean>;
}

/** mayContact, or two members with an accepted contact between them. */
async function mayWrite(deps: MessagesDeps, a: Party, b: Party): Promise<boolean> {
  if (mayContact(a, b)) return true;
  if (a.role !== 'member' || b.role !== 'member' || a.id === b.id || !deps.acceptedContact) return false;
  return deps.acceptedContact(a.id, b.id);
}

export interface ParticipantView {
  id: string;
  name: string;
  role: Role;
  member: string | null;
  agency: string;
}

async function participantViews(ids: Types.ObjectId[]): Promise<Map<string, ParticipantView>> {
  return publicProfiles(ids);
}

/**
 * Starts a conversation. The actor must be allowed to write to every recipient; and unless the
 * actor is the organizer, the recipients must be allowed to write to each other too, so nobody
 * puts two people in touch who could not have reached each other themselves.
 */
export async function startConversation(deps: MessagesDeps, actor: Actor, input: NewConversationInput): Promise<string> {
  assertRole(actor, 'member', 'liaison', 'organizer');
  const wanted = [...new Set(input.recipients)].filter((id) => id !== actor.id);
  if (!wanted.length) throw new ValidationError({ recipients: { key: 'messages:errors.noRecipient' } });
  const found = await findContacts(wanted);
  if (found.length !== wanted.length) throw new ValidationError({ recipients: { key: 'messages:errors.mayNotContact' } });
  for (const c of found) if (!(await mayWrite(deps, actor, c))) throw new ValidationError({ recipients: { key: 'messages:errors.mayNotContact' } });
  if (actor.role !== 'organizer') {
    for (const a of found) for (const b of found) if (a.id < b.id && !(await mayWrite(deps, a, b))) throw new ValidationError({ recipients: { key: 'messages:errors.recipientsMayNotMeet' } });
  }
  const now = deps.clock();
  const participants = [new Types.ObjectId(actor.id), ...found.map((c) => new Types.ObjectId(c.id))];
  // Written in an order where a failure half-way leaves nothing visible: the conversation is only
  // listed for a person once their membership exists, and memberships are written last.
  const conversation = await Conversation.create({ subject: input.subject, startedBy: participants[0], participants, messageCount: 1, lastMessageAt: now, createdAt: now });
  await PrivateMessage.create({ conversation: conversation._id, author: participants[0], body: input.body, createdAt: now });
  await ConversationMembership.insertMany(
    participants.map((user, i) => ({
      conversation: conversation._id,
      user,
      unread: i === 0 ? 0 : 1,
      lastReadAt: i === 0 ? now : null,
      notified: false,
      lastMessageAt: now,
    })),
  );
  await notifyNewMessage(deps, conversation, actor, input.body);
  return String(conversation._id);
}

/** A participant's membership, or 404 for anyone else and for ids that do not exist. */
async function membershipOf(actor: Actor, conversationId: string): Promise<{ conversation: ConversationDoc; membership: MembershipDoc }> {
  const id = objectIdOr404(conversationId);
  const membership = await ConversationMembership.findOne({ conversation: id, user: new Types.ObjectId(actor.id) }).lean<MembershipDoc>();
  if (!membership) throw new NotFoundError();
  const conversation = await Conversation.findById(id).lean<ConversationDoc>();
  if (!conversation) throw new NotFoundError();
  return { conversation, membership };
}

export interface MessageView {
  id: string;
  author: ParticipantView | null;
  mine: boolean;
  isNew: boolean;
  html: string;
  createdAt: Date;
}

export interface ConversationPage {
  id: string;
  subject: string;
  participants: ParticipantView[];
  messages: MessageView[];
  page: number;
  pages: number;
  total: number;
  perPage: number;
  /** How many messages were unread before this view marked them read. */
  unreadBefore: number;
}

/**
 * Opens a conversation: marks it read for the actor (and re-arms the notification e-mail), then
 * loads one page of messages. Without a page number it opens where the unread messages begin, or
 * at the last page.
 */
export async function readConversation(deps: MessagesDeps, actor: Actor, conversationId: string, opts: { page?: number | undefined; markRead?: boolean } = {}): Promise<ConversationPage> {
  const { conversation, membership } = await membershipOf(actor, conversationId);
  // Marked read before loading: a message arriving in between is shown and stays counted, never lost.
  // Nothing to clear (the common case of re-reading) costs no write.
  const before =
    opts.markRead === false || (membership.unread === 0 && !membership.notified)
      ? membership
      : await ConversationMembership.findOneAndUpdate(
          { conversation: conversation._id, user: new Types.ObjectId(actor.id) },
          { $set: { unread: 0, lastReadAt: deps.clock(), notified: false } },
        ).lean<MembershipDoc>();
  const unread = before?.unread ?? 0;
  // The conversation keeps its own count (raised with every message): nothing is counted per view,
  // and a page reads its 20 messages on the { conversation, createdAt, _id } index.
  const total = Math.max(conversation.messageCount ?? 0, unread);
  const pages = Math.max(1, Math.ceil(total / MESSAGES_PER_PAGE));
  let page = opts.page;
  if (!page) page = unread > 0 ? Math.floor(Math.max(0, total - unread) / MESSAGES_PER_PAGE) + 1 : pages;
  page = Math.min(Math.max(1, page), pages);
  const rows = await PrivateMessage.find({ conversation: conversation._id }, { author: 1, body: 1, createdAt: 1 })
    .sort({ createdAt: 1, _id: 1 })
    .skip((page - 1) * MESSAGES_PER_PAGE)
    .limit(MESSAGES_PER_PAGE)
    .lean<MessageDoc[]>();
  const people = await participantViews(conversation.participants);
  const firstNewIndex = total - unread;
  return {
    id: String(conversation._id),
    subject: conversation.subject,
    participants: conversation.participants.map((p) => people.get(String(p))).filter((p): p is ParticipantView => !!p),
    messages: rows.map((m, i) => ({
      id: String(m._id),
      author: people.get(String(m.author)) ?? null,
      mine: String(m.author) === actor.id,
      isNew: String(m.author) !== actor.id && (page - 1) * MESSAGES_PER_PAGE + i >= firstNewIndex,
      html: renderMarkdown(m.body, 'messages'),
      createdAt: m.createdAt,
    })),
    page,
    pages,
    total,
    perPage: MESSAGES_PER_PAGE,
    unreadBefore: unread,
  };
}

/** Subject and participants only (for showing the reply form again with errors, without marking read). */
export async function conversationHeader(actor: Actor, conversationId: string): Promise<{ id: string; subject: string; participants: ParticipantView[] }> {
  const { conversation } = await membershipOf(actor, conversationId);
  const people = await participantViews(conversation.participants);
  return {
    id: String(conversation._id),
    subject: conversation.subject,
    participants: conversation.participants.map((p) => people.get(String(p))).filter((p): p is ParticipantView => !!p),
  };
}

/** Adds a reply; returns the page it landed on. */
export async function replyToConversation(deps: MessagesDeps, actor: Actor, conversationId: string, body: string): Promise<{ page: number; messageId: string }> {
  const { conversation } = await membershipOf(actor, conversationId);
  const now = deps.clock();
  const me = new Types.ObjectId(actor.id);
  const message = await PrivateMessage.create({ conversation: conversation._id, author: me, body, createdAt: now });
  const counted = await Conversation.findOneAndUpdate({ _id: conversation._id }, { $inc: { messageCount: 1 }, $set: { lastMessageAt: now } }, { returnDocument: 'after', projection: { messageCount: 1 } }).lean<Pick<ConversationDoc, 'messageCount'>>();
  await ConversationMembership.updateMany({ conversation: conversation._id, user: trusted({ $ne: me }) }, { $inc: { unread: 1 }, $set: { lastMessageAt: now } });
  // Writing is reading: whatever came before is now behind the writer.
  await ConversationMembership.updateOne({ conversation: conversation._id, user: me }, { $set: { unread: 0, lastReadAt: now, notified: false, lastMessageAt: now } });
  await notifyNewMessage(deps, conversation, actor, body);
  const total = counted?.messageCount ?? conversation.messageCount + 1;
  return { page: Math.max(1, Math.ceil(total / MESSAGES_PER_PAGE)), messageId: String(message._id) };
}

/**
 * One e-mail per conversation while it stays unread: the `notified` flag is claimed atomically
 * (false → true) and only the claimant sends; reading the conversation sets it back to false.
 */
async function notifyNewMessage(deps: MessagesDeps, conversation: ConversationDoc, author: Actor, body: string): Promise<void> {
  const others = conversation.participants.filter((p) => String(p) !== author.id);
  const recipients = await reachablePeople(others);
  const url = `${deps.baseUrl}/messages/${String(conversation._id)}`;
  await Promise.all(
    recipients.map(async (r) => {
      const claimed = await ConversationMembership.findOneAndUpdate({ conversation: conversation._id, user: new Types.ObjectId(r.id), notified: false }, { $set: { notified: true } });
      if (!claimed) return;
      await deps.mailer.notify(
        { email: r.email, name: r.name, language: r.language },
        {
          subject: { key: 'messages:email.newMessage.subject', params: { name: author.name, subject: conversation.subject } },
          lines: [{ key: 'messages:email.newMessage.intro', params: { name: author.name, subject: conversation.subject } }, { quote: markdownExcerpt(body, 600) }, { key: 'messages:email.newMessage.throttle' }],
          action: { label: { key: 'messages:email.newMessage.action' }, url },
        },
      );
    }),
  );
}

export interface ConversationSummary {
  id: string;
  subject: string;
  others: ParticipantView[];
  unread: number;
  lastMessageAt: Date;
  messageCount: number;
}

/** The actor's conversations, most recent activity first. */
export async function listConversations(actor: Actor, page: { skip: number; perPage: number }): Promise<{ items: ConversationSummary[]; total: number }> {
  const me = new Types.ObjectId(actor.id);
  const [memberships, total] = await Promise.all([
    ConversationMembership.find({ user: me }).sort({ lastMessageAt: -1, _id: -1 }).skip(page.skip).limit(page.perPage).lean<MembershipDoc[]>(),
    ConversationMembership.countDocuments({ user: me }),
  ]);
  const conversations = await Conversation.find({ _id: trusted({ $in: memberships.map((m) => m.conversation) }) }).lean<ConversationDoc[]>();
  const byId = new Map(conversations.map((c) => [String(c._id), c]));
  const people = await participantViews([...new Set(conversations.flatMap((c) => c.participants.map(String)))].map((id) => new Types.ObjectId(id)));
  const items: ConversationSummary[] = [];
  for (const m of memberships) {
    const c = byId.get(String(m.conversation));
    if (!c) continue;
    items.push({
      id: String(c._id),
      subject: c.subject,
      others: c.participants.filter((p) => String(p) !== actor.id).map((p) => people.get(String(p))).filter((p): p is ParticipantView => !!p),
      unread: m.unread,
      lastMessageAt: c.lastMessageAt,
      messageCount: c.messageCount,
    });
  }
  return { items, total };
}

/** Unread messages over all the actor's conversations: one query on the { user, unread } index. */
export async function countUnreadMessages(userId: string): Promise<number> {
  const rows = await ConversationMembership.find({ user: new Types.ObjectId(userId), unread: trusted({ $gt: 0 }) }, { unread: 1, _id: 0 }).lean<{ unread: number }[]>();
  return rows.reduce((sum, r) => sum + (r.unread || 0), 0);
}

/** A preselected recipient for /messages/new?to=: the person, and whether the actor may write to them. */
export async function recipientFor(deps: MessagesDeps, actor: Actor, to: unknown): Promise<{ contact: Contact | null; allowed: boolean }> {
  if (!isObjectId(to)) return { contact: null, allowed: false };
  const [contact] = await findContacts([to]);
  if (!contact) return { contact: null, allowed: false };
  return { contact, allowed: await mayWrite(deps, actor, contact) };
}

/**
 * Opens the two-person conversation of an accepted contact request, with the request's message as
 * its first message from the requester. Consent was given by accepting, so no who-may-write check.
 */
export async function openContactConversation(deps: MessagesDeps, input: { from: string; to: string; subject: string; body: string }): Promise<string> {
  const now = deps.clock();
  const participants = [new Types.ObjectId(input.from), new Types.ObjectId(input.to)];
  const conversation = await Conversation.create({ subject: input.subject, startedBy: participants[0], participants, messageCount: 1, lastMessageAt: now, createdAt: now });
  await PrivateMessage.create({ conversation: conversation._id, author: participants[0], body: input.body, createdAt: now });
  await ConversationMembership.insertMany(
    participants.map((user, i) => ({ conversation: conversation._id, user, unread: i === 0 ? 0 : 1, lastReadAt: i === 0 ? now : null, notified: false, lastMessageAt: now })),
  );
  return String(conversation._id);
}

