/**
 * What the organizer's figures read of the library: published, visible practices counted per
 * theme and language (authors left out, e.g. suspended accounts, demo practices never counted, and
 * an optional date range).
 */
import { Types, trusted } from 'mongoose';
import { Practice } from './model';

export async function practicesPerThemeAndLanguage(opts: { excludeAuthors: Types.ObjectId[]; from?: Date | null; to?: Date | null }): Promise<{ theme: string; language: string; count: number }[]> {
  const publishedAt = opts.from || opts.to ? { publishedAt: trusted({ ...(opts.from ? { $gte: opts.from } : {}), ...(opts.to ? { $lt: opts.to } : {}) }) } : {};
  const rows = await Practice.aggregate<{ _id: { theme: string; language: string }; count: number }>([
    { $match: { status: 'published', hiddenAt: null, author: { $nin: opts.excludeAuthors }, demo: { $ne: true }, ...publishedAt } },
    { $unwind: '$themes' },
    { $group: { _id: { theme: '$themes', language: '$language' }, count: { $sum: 1 } } },
  ]);
  return rows.map((r) => ({ theme: r._id.theme, language: r._id.language, count: r.count }));
}
