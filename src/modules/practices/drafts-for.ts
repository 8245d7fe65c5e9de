/**
 * A business-practice draft prepared by the organizer for an SME (from material the SME agreed may
 * be published, such as an exhibitor's report after the fair). The draft belongs to the SME's
 * account: it stays private to its author, who reviews, edits and publishes it as any own draft.
 */
import { Types } from 'mongoose';
import type { Actor } from '../../kernel';
import { assertRole } from '../../kernel';
import { MARKDOWN_VERSION, renderMarkdown } from '../../web/markdown';
import { textTerms } from '../../web/search';
import { Practice, type Theme } from './model';
import { SEARCH_VERSION } from './service';

export interface PracticeDraftInput {
  /** The practice's id, chosen by the caller so that it can record the link before the draft exists. */
  id: string;
  /** The SME's member account that will own the draft. */
  author: string;
  company: string;
  member: string;
  organisation: string;
  language: 'en' | 'zh';
  title: string;
  summary: string;
  body: string;
  results: string;
  themes: Theme[];
}

/** Creates the draft; returns its id. Organizer only. */
export async function createPracticeDraftFor(actor: Actor, input: PracticeDraftInput): Promise<string> {
  assertRole(actor, 'organizer');
  const created = await Practice.create({
    _id: new Types.ObjectId(input.id),
    kind: 'business',
    status: 'draft',
    publishedAt: null,
    title: input.title,
    summary: input.summary,
    body: input.body,
    bodyHtml: renderMarkdown(input.body, 'practices'),
    bodyHtmlVersion: MARKDOWN_VERSION,
    themes: input.themes,
    member: input.member,
    language: input.language,
    organisation: input.organisation,
    results: input.results,
    contact: '',
    attachments: [],
    author: new Types.ObjectId(input.author),
    authorRole: 'member',
    company: new Types.ObjectId(input.company),
    searchTerms: textTerms(input.title, input.summary, input.body, input.results),
    searchVersion: SEARCH_VERSION,
  });
  return String(created._id);
}
