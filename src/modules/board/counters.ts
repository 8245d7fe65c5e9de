/**
 * The thread counters, derived from the posts: `postCount` is the places taken (the highest post
 * number, so the next reply takes the next place) and `replyCount` the replies a reader sees (posts
 * after the opening one that are not hidden). A reply writes the counter before its post, so a
 * crash between the two leaves the counter ahead; hiding and restoring posts change what readers
 * see. Start-up repairs every thread whose counters differ from its posts; hiding and restoring
 * refresh the one thread.
 */
import { Types, trusted } from 'mongoose';
import type { Clock } from '../../kernel';
import { BoardPost, BoardThread } from './model';

/** Threads read and compared per round of the start-up repair. */
const BATCH = 500;

/** A thread left with no post at all (a crash between the thread and its opening post) is removed after this long. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

interface Counts {
  postCount: number;
  replyCount: number;
}

/** The counters of each of these threads, from their posts (threads without posts are absent). */
async function countsOf(threadIds: Types.ObjectId[]): Promise<Map<string, Counts>> {
  const rows = await BoardPost.aggregate<{ _id: Types.ObjectId; places: number; replies: number }>([
    { $match: { thread: { $in: threadIds } } },
    {
      $group: {
        _id: '$thread',
        places: { $max: '$number' },
        replies: { $sum: { $cond: [{ $and: [{ $gt: ['$number', 1] }, { $ne: ['$hidden', true] }] }, 1, 0] } },
      },
    },
  ]);
  return new Map(rows.map((r) => [String(r._id), { postCount: r.places, replyCount: r.replies }]));
}

/** Sets one thread's counters from its posts (after hiding or restoring one of them). */
export async function refreshThreadCounters(threadId: Types.ObjectId): Promise<void> {
  const counts = (await countsOf([threadId])).get(String(threadId));
  if (counts) await BoardThread.updateOne({ _id: threadId }, { $set: counts });
}

/**
 * Start-up repair: compares every thread's counters with its posts, a batch at a time, and updates
 * only the threads that differ; threads with no post older than an hour are removed. Idempotent:
 * a second run finds nothing to change. Returns what it changed.
 */
export async function repairThreadCounters(clock: Clock): Promise<{ repaired: number; removed: number }> {
  let repaired = 0;
  let removed = 0;
  const orphanBefore = new Date(clock().getTime() - ORPHAN_AGE_MS);
  let after: Types.ObjectId | null = null;
  for (;;) {
    const filter: Record<string, unknown> = after ? { _id: trusted({ $gt: after }) } : {};
    const threads = await BoardThread.find(filter, { postCount: 1, replyCount: 1, createdAt: 1 }).sort({ _id: 1 }).limit(BATCH).lean();
    if (!threads.length) break;
    after = threads[threads.length - 1]!._id;
    const counts = await countsOf(threads.map((t) => t._id));
    const updates = [];
    const orphans: Types.ObjectId[] = [];
    for (const t of threads) {
      const c = counts.get(String(t._id));
      if (!c) {
        if (t.createdAt < orphanBefore) orphans.push(t._id);
        continue;
      }
      if (c.postCount !== t.postCount || c.replyCount !== t.replyCount) {
        // Conditional on the values read, so a reply landing meanwhile is not overwritten.
        updates.push({ updateOne: { filter: { _id: t._id, postCount: t.postCount, replyCount: t.replyCount }, update: { $set: c } } });
      }
    }
    if (updates.length) repaired += (await BoardThread.bulkWrite(updates)).modifiedCount;
    if (orphans.length) removed += (await BoardThread.deleteMany({ _id: trusted({ $in: orphans }) })).deletedCount;
  }
  return { repaired, removed };
}
