/**
 * The Atom feed of the latest published practices: each entry with its summary and its themes as
 * categories (the feed itself is written by src/web/atom.ts).
 */
import { atomFeed as writeAtom } from '../../web/atom';
import type { PracticeDoc } from './model';

export interface FeedText {
  title: string;
  subtitle: string;
  authorName: string;
  themeLabel(theme: string): string;
}

export function atomFeed(baseUrl: string, practices: PracticeDoc[], text: FeedText, authors: Map<string, string>, now: Date): string {
  return writeAtom(
    { pageUrl: `${baseUrl}/practices`, selfUrl: `${baseUrl}/practices/feed.xml`, title: text.title, subtitle: text.subtitle, authorName: text.authorName },
    practices.map((p) => ({
      url: `${baseUrl}/practices/${String(p._id)}`,
      title: p.title,
      updated: p.updatedAt,
      published: p.publishedAt ?? p.createdAt,
      authorName: authors.get(String(p.author)) || text.authorName,
      summary: p.summary,
      categories: p.themes.map((t) => ({ term: t, label: text.themeLabel(t) })),
    })),
    now,
  );
}
