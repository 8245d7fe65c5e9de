/**
 * The Atom feed of the latest open opportunities (written by src/web/atom.ts): each entry with the
 * start of its description and its kind as the category.
 */
import { atomFeed as writeAtom } from '../../web/atom';
import type { OpportunityDoc } from './model';

export function atomFeed(baseUrl: string, items: OpportunityDoc[], text: { title: string; authorName: string }, now: Date): string {
  return writeAtom(
    { pageUrl: `${baseUrl}/opportunities`, selfUrl: `${baseUrl}/opportunities/feed.xml`, title: text.title, authorName: text.authorName },
    items.map((o) => ({
      url: `${baseUrl}/opportunities/${String(o._id)}`,
      title: o.title,
      updated: o.updatedAt,
      published: o.createdAt,
      authorName: o.onBehalfOf || text.authorName,
      summary: o.description.slice(0, 500),
      categories: [{ term: o.kind }],
    })),
    now,
  );
}
