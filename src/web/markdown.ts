/**
 * The one Markdown renderer for user-written text, with a named profile per place it is shown:
 *
 * - `board`: posts on the message board — headings from h3 (under the page's h1/h2), tables, images;
 * - `practices`: best-practice bodies — the same as the board;
 * - `messages`: private messages and announcements — headings from h4, no tables, no images.
 *
 * marked does not sanitise, so its output always goes through sanitize-html with the profile's
 * allow-list: no raw HTML survives beyond it; links may only be http(s)/mailto or a path on this
 * site, and get rel="nofollow noopener noreferrer".
 *
 * Images: a Markdown image is shown only when it points to the portal's own upload download route
 * (`/practices/<id>/files/<id>`, a GET that reads and changes nothing, and checks that the reader
 * may see the file). An `https:` image becomes a plain link to it (labelled with its alt text): the
 * reader opens it by choice, the CSP's `img-src 'self'` stays as it is, and no third party learns
 * who reads the page. Anything else (`![i](/logout)`, `http:`, `data:`) keeps only its alt text, so
 * viewing a page never fires a same-site GET as the viewer.
 *
 * The rendered HTML is stored with the records (board posts, practices) together with
 * `MARKDOWN_VERSION`; bump the version whenever a profile or the sanitiser changes, and the modules
 * re-render every record with an older version at start-up. Messages and announcements are
 * rendered when read, so they always use the current version.
 */
import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from './html';

/** Version of the rendered HTML (1: the renderers before profiles existed). */
export const MARKDOWN_VERSION = 2;

export type MarkdownProfile = 'board' | 'practices' | 'messages' | 'opportunities';

/** The portal's own image download route: a practice attachment, optionally shown inline. */
const OWN_IMAGE = /^\/practices\/[a-f0-9]{24}\/files\/[a-f0-9]{24}(?:\?inline=1)?$/;

export function isAllowedImageSource(src: string): boolean {
  return OWN_IMAGE.test(src);
}

interface ProfileRules {
  firstHeading: 3 | 4;
  tables: boolean;
  images: boolean;
}

const PROFILES: Record<MarkdownProfile, ProfileRules> = {
  board: { firstHeading: 3, tables: true, images: true },
  practices: { firstHeading: 3, tables: true, images: true },
  messages: { firstHeading: 4, tables: false, images: false },
  opportunities: { firstHeading: 3, tables: true, images: false },
};

function markedFor(rules: ProfileRules): Marked {
  const marked = new Marked({ gfm: true, breaks: true, async: false });
  marked.use({
    renderer: {
      image({ href, title, text }: Tokens.Image): string {
        const src = (href ?? '').trim();
        const alt = escapeHtml(text);
        if (rules.images && isAllowedImageSource(src)) {
          return `<img src="${escapeHtml(src)}" alt="${alt}"${title ? ` title="${escapeHtml(title)}"` : ''} loading="lazy" />`;
        }
        if (/^https:\/\//i.test(src)) return `<a href="${escapeHtml(src)}">${alt || escapeHtml(src)}</a>`;
        return alt;
      },
    },
  });
  return marked;
}

function headingMap(first: number): Record<string, string> {
  const map: Record<string, string> = {};
  for (let level = 1; level <= 6; level++) map[`h${level}`] = `h${Math.min(6, Math.max(first, level))}`;
  return map;
}

function sanitizeOptions(rules: ProfileRules): sanitizeHtml.IOptions {
  const headings = headingMap(rules.firstHeading);
  const tableTags = rules.tables ? ['table', 'thead', 'tbody', 'tr', 'th', 'td'] : [];
  return {
    allowedTags: [
      ...Object.keys(headings), 'p', 'br', 'hr', 'blockquote', 'pre', 'code', 'em', 'strong', 'del', 's',
      'ul', 'ol', 'li', 'a', ...(rules.images ? ['img'] : []), ...tableTags,
    ],
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title', 'loading'],
      ol: ['start'],
      th: ['align', 'scope'],
      td: ['align'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: [] },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      ...headings,
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener noreferrer' } }),
    },
    // Raw HTML images take the same rule as Markdown ones (only the own download route).
    exclusiveFilter: (frame) => frame.tag === 'img' && !isAllowedImageSource(frame.attribs.src ?? ''),
  };
}

const renderers = new Map(
  (Object.keys(PROFILES) as MarkdownProfile[]).map((name) => [name, { marked: markedFor(PROFILES[name]), options: sanitizeOptions(PROFILES[name]) }]),
);

/** Markdown → safe HTML for a profile, ready for `<%- %>`. */
export function renderMarkdown(markdown: string, profile: MarkdownProfile): string {
  const renderer = renderers.get(profile);
  if (!renderer) throw new Error(`unknown Markdown profile ${String(profile)}`);
  const html = renderer.marked.parse(markdown ?? '') as string;
  return sanitizeHtml(html, renderer.options);
}

const plainMarked = new Marked({ gfm: true, breaks: true, async: false });

/** A plain-text excerpt of Markdown (for lists and e-mails), cut at a word boundary. */
export function markdownExcerpt(markdown: string, max = 200): string {
  const text = sanitizeHtml(plainMarked.parse(markdown ?? '') as string, { allowedTags: [], allowedAttributes: {} })
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
