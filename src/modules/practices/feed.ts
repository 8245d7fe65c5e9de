/**
 * The Atom feed (RFC 4287) of the latest published practices: feed id, title, updated, author,
 * self and alternate links; each entry with id, title, updated, published, author, summary, link
 * and its themes as categories. Text is XML-escaped and stripped of characters XML cannot hold.
 */
import type { PracticeDoc } from './model';

function xml(value: unknown): string {
  return String(value ?? '')
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export interface FeedText {
  title: string;
  subtitle: string;
  authorName: string;
  themeLabel(theme: string): string;
}

export function atomFeed(baseUrl: string, practices: PracticeDoc[], text: FeedText, authors: Map<string, string>, now: Date): string {
  const updated = practices.reduce<Date>((max, p) => (p.updatedAt > max ? p.updatedAt : max), practices[0]?.updatedAt ?? now);
  const entries = practices.map((p) => {
    const url = `${baseUrl}/practices/${String(p._id)}`;
    const author = authors.get(String(p.author)) || text.authorName;
    return [
      '  <entry>',
      `    <id>${xml(url)}</id>`,
      `    <title type="text">${xml(p.title)}</title>`,
      `    <updated>${p.updatedAt.toISOString()}</updated>`,
      `    <published>${(p.publishedAt ?? p.createdAt).toISOString()}</published>`,
      `    <author><name>${xml(author)}</name></author>`,
      `    <link rel="alternate" type="text/html" href="${xml(url)}"/>`,
      `    <summary type="text">${xml(p.summary)}</summary>`,
      ...p.themes.map((t) => `    <category term="${xml(t)}" label="${xml(text.themeLabel(t))}"/>`),
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(`${baseUrl}/practices`)}</id>`,
    `  <title type="text">${xml(text.title)}</title>`,
    `  <subtitle type="text">${xml(text.subtitle)}</subtitle>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <author><name>${xml(text.authorName)}</name></author>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(`${baseUrl}/practices/feed.xml`)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(`${baseUrl}/practices`)}"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
