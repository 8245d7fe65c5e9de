/**
 * What the organizer's figures read of the messages: private messages and new conversations per
 * month, and announcements sent per month (authors left out, e.g. suspended accounts; demo content
 * never counted; an optional date range).
 */
import { Types, trusted, type Model } from 'mongoose';
import { Announcement, Conversation, PrivateMessage } from './model';

export interface ActivityOptions {
  excludeAuthors: Types.ObjectId[];
  from?: Date | null;
  to?: Date | null;
}

/**
 * Counted in the database on the date's index: without a chosen start the range starts at the
 * epoch, so the $match always walks that index (never the whole collection) and only a row per
 * month comes back.
 */
async function perMonth<T>(collection: Model<T>, dateField: string, authorField: string, opts: ActivityOptions): Promise<Map<string, number>> {
  const range = { [dateField]: trusted({ $gte: opts.from ?? new Date(0), ...(opts.to ? { $lt: opts.to } : {}) }) };
  const rows = await collection.aggregate<{ _id: string; count: number }>([
    { $match: { [authorField]: { $nin: opts.excludeAuthors }, demo: { $ne: true }, ...range } },
    { $group: { _id: { $dateToString: { format: '%Y-%m', date: `$${dateField}` } }, count: { $sum: 1 } } },
  ]);
  return new Map(rows.map((r) => [r._id, r.count]));
}

/** Per month (YYYY-MM, UTC): messages written, conversations started, announcements sent. */
export async function messageActivityPerMonth(opts: ActivityOptions): Promise<{ month: string; messages: number; conversations: number; announcements: number }[]> {
  const [messages, conversations, announcements] = await Promise.all([
    perMonth(PrivateMessage, 'createdAt', 'author', opts),
    perMonth(Conversation, 'createdAt', 'startedBy', opts),
    perMonth(Announcement, 'sentAt', 'sentBy', opts),
  ]);
  const months = [...new Set([...messages.keys(), ...conversations.keys(), ...announcements.keys()])].sort();
  return months.map((month) => ({ month, messages: messages.get(month) ?? 0, conversations: conversations.get(month) ?? 0, announcements: announcements.get(month) ?? 0 }));
}
