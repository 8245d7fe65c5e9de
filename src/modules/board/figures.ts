/**
 * What the organizer's figures read of the board: posts per month, by aggregation in the database
 * (authors left out, e.g. suspended accounts, demo posts never counted, and an optional date range).
 */
import { Types, trusted } from 'mongoose';
import { BoardPost } from './model';

export async function postsPerMonth(opts: { excludeAuthors: Types.ObjectId[]; from?: Date | null; to?: Date | null }): Promise<{ month: string; count: number }[]> {
  // Always a range (from the epoch when no start is chosen), so the $match walks the createdAt index.
  const createdAt = { createdAt: trusted({ $gte: opts.from ?? new Date(0), ...(opts.to ? { $lt: opts.to } : {}) }) };
  const rows = await BoardPost.aggregate<{ _id: string; count: number }>([
    { $match: { author: { $nin: opts.excludeAuthors }, demo: { $ne: true }, ...createdAt } },
    { $group: { _id: { $dateToString: { format: '%Y-%m', date: '$createdAt' } }, count: { $sum: 1 } } },
  ]);
  return rows.map((r) => ({ month: r._id, count: r.count }));
}
