/**
 * Atom feeds (RFC 4287): the feed's head (id, title, optional subtitle, updated, author, self and
 * alternate links) and its entries (id, title, updated, published, author, alternate link, summary,
 * categories). Text is XML-escaped and stripped of characters XML cannot hold. The modules map
 * their records to `AtomEntry`s; this file knows none of them.
 */

export function xmlText(value: unknown): string {
  return String(value ?? '')
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export interface AtomHead {
  /** The page the feed belongs to (its id and alternate link), absolute. */
  pageUrl: string;
  /** The feed's own address (rel="self"), absolute. */
  selfUrl: string;
  title: string;
  subtitle?: string;
  authorName: string;
}

export interface AtomEntry {
  url: string;
  title: string;
  updated: Date;
  published: Date;
  authorName: string;
  summary: string;
  categories: { term: string; label?: string }[];
}

/** The feed's `updated` is its newest entry's, or `now` for an empty feed. */
export function atomFeed(head: AtomHead, entries: AtomEntry[], now: Date): string {
  const updated = entries.reduce<Date | null>((max, e) => (!max || e.updated > max ? e.updated : max), null) ?? now;
  const body = entries.map((e) =>
    [
      '  <entry>',
      `    <id>${xmlText(e.url)}</id>`,
      `    <title type="text">${xmlText(e.title)}</title>`,
      `    <updated>${e.updated.toISOString()}</updated>`,
      `    <published>${e.published.toISOString()}</published>`,
      `    <author><name>${xmlText(e.authorName)}</name></author>`,
      `    <link rel="alternate" type="text/html" href="${xmlText(e.url)}"/>`,
      `    <summary type="text">${xmlText(e.summary)}</summary>`,
      ...e.categories.map((c) => `    <category term="${xmlText(c.term)}"${c.label === undefined ? '' : ` label="${xmlText(c.label)}"`}/>`),
      '  </entry>',
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xmlText(head.pageUrl)}</id>`,
    `  <title type="text">${xmlText(head.title)}</title>`,
    ...(head.subtitle === undefined ? [] : [`  <subtitle type="text">${xmlText(head.subtitle)}</subtitle>`]),
    `  <updated>${updated.toISOString()}</updated>`,
    `  <author><name>${xmlText(head.authorName)}</name></author>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(head.selfUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlText(head.pageUrl)}"/>`,
    ...body,
    '</feed>',
    '',
  ].join('\n');
}
