/**
 * The one Markdown renderer for user-written text (board posts, practices, messages). marked does
 * not sanitise, so its output always goes through sanitize-html with a short allow-list: no raw
 * HTML survives beyond it, links may only be http(s)/mailto and get rel="nofollow noopener",
 * and images are kept only when they come from this site (a relative path) — a remote image would
 * leak the reader's address to another host and is blocked by the CSP anyway.
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: true, async: false });

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 'del', 's',
    'ul', 'ol', 'li', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !/^\/(?!\/)/.test(frame.attribs.src ?? ''),
};

/** Markdown → safe HTML, ready for `<%- %>`. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown ?? '') as string;
  return sanitizeHtml(html, { ...SANITIZE_OPTIONS, allowedAttributes: { ...SANITIZE_OPTIONS.allowedAttributes, a: ['href', 'title', 'rel'] } });
}

/** A plain-text excerpt of Markdown (for lists and e-mails), cut at a word boundary. */
export function markdownExcerpt(markdown: string, max = 200): string {
  const text = sanitizeHtml(marked.parse(markdown ?? '') as string, { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
