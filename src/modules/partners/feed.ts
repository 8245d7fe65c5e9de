/**
 * The Atom feed (RFC 4287) of the latest open opportunities.
 */
import type { OpportunityDoc } from './model';

function xml(value: unknown): string {
  return String(value ?? '')
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function atomFeed(baseUrl: string, items: OpportunityDoc[], text: { title: string; authorName: string }, now: Date): string {
  const updated = items.reduce<Date>((max, o) => (o.updatedAt > max ? o.updatedAt : max), items[0]?.updatedAt ?? now);
  const entries = items.map((o) => {
    const url = `${baseUrl}/opportunities/${String(o._id)}`;
    return [
      '  <entry>',
      `    <id>${xml(url)}</id>`,
      `    <title type="text">${xml(o.title)}</title>`,
      `    <updated>${o.updatedAt.toISOString()}</updated>`,
      `    <published>${o.createdAt.toISOString()}</published>`,
      `    <author><name>${xml(o.onBehalfOf || text.authorName)}</name></author>`,
      `    <link rel="alternate" type="text/html" href="${xml(url)}"/>`,
      `    <summary type="text">${xml(o.description.slice(0, 500))}</summary>`,
      `    <category term="${xml(o.kind)}"/>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(`${baseUrl}/opportunities`)}</id>`,
    `  <title type="text">${xml(text.title)}</title>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <author><name>${xml(text.authorName)}</name></author>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(`${baseUrl}/opportunities/feed.xml`)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(`${baseUrl}/opportunities`)}"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
