/**
 * The messages module's desk items: conversations with unread messages, and (for liaisons)
 * announcements still to acknowledge.
 */
import { Types, trusted } from 'mongoose';
import type { Actor, DeskItem } from '../../kernel';
import { countPendingAnnouncements, listPendingAnnouncements } from './announcements';
import { ConversationMembership } from './model';
import { countUnreadMessages } from './service';

export async function messagesDeskItems(actor: Actor): Promise<DeskItem[]> {
  const unread = await ConversationMembership.find({ user: new Types.ObjectId(actor.id), unread: trusted({ $gt: 0 }) }, { conversation: 1, unread: 1, lastMessageAt: 1 })
    .sort({ lastMessageAt: 1 })
    .limit(50)
    .lean();
  const items: DeskItem[] = unread.map((m) => ({
    kind: 'messages.unread',
    title: { key: 'messages:desk.unread', params: { count: m.unread } },
    url: `/messages/${String(m.conversation)}`,
    since: m.lastMessageAt,
    action: { key: 'messages:desk.read' },
  }));
  if (actor.role === 'liaison') {
    for (const a of await listPendingAnnouncements(actor, 50)) {
      items.push({
        kind: 'messages.announcement',
        title: { key: 'messages:desk.announcement', params: { subject: a.subject } },
        url: `/messages/announcements/${a.id}`,
        since: a.sentAt,
        action: { key: 'messages:desk.acknowledge' },
      });
    }
  }
  return items;
}

export async function messagesDeskCount(actor: Actor): Promise<number> {
  const [conversations, announcements] = await Promise.all([
    ConversationMembership.countDocuments({ user: new Types.ObjectId(actor.id), unread: trusted({ $gt: 0 }) }),
    actor.role === 'liaison' ? countPendingAnnouncements(actor.id) : Promise.resolve(0),
  ]);
  return conversations + announcements;
}

