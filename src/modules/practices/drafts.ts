/**
 * A draft practice made on another module's behalf (a good outcome of a meeting at the hall): the
 * author finds it among their own practices, edits and publishes it through the ordinary form.
 */
import { Types } from 'mongoose';
import { ForbiddenError, type Actor } from '../../kernel';
import { MARKDOWN_VERSION, renderMarkdown } from '../../web/markdown';
import { Practice, type TextLanguage } from './model';
import { SEARCH_VERSION, searchTermsOf } from './service';

export interface PracticeDraftInput {
  title: string;
  summary: string;
  body: string;
  organisation: string;
  language: TextLanguage;
}

/** Creates a business-practice draft of an SME's account, filed under its ASEM member; returns its id. */
export async function createPracticeDraft(actor: Actor, input: PracticeDraftInput): Promise<string> {
  if (actor.role !== 'member' || !actor.member) throw new ForbiddenError();
  const created = await Practice.create({
    kind: 'business',
    status: 'draft',
    publishedAt: null,
    title: input.title,
    summary: input.summary,
    body: input.body,
    bodyHtml: renderMarkdown(input.body, 'practices'),
    bodyHtmlVersion: MARKDOWN_VERSION,
    themes: [],
    member: actor.member,
    language: input.language,
    organisation: input.organisation,
    results: '',
    contact: '',
    attachments: [],
    author: new Types.ObjectId(actor.id),
    authorRole: 'member',
    company: actor.companyId ? new Types.ObjectId(actor.companyId) : null,
    searchTerms: searchTermsOf({ title: input.title, summary: input.summary, body: input.body, results: '' }),
    searchVersion: SEARCH_VERSION,
  });
  return String(created._id);
}

/** Removes a draft made by createPracticeDraft that its caller could not attach (a lost race). */
export async function discardPracticeDraft(actor: Actor, id: string): Promise<void> {
  await Practice.deleteOne({ _id: new Types.ObjectId(id), author: new Types.ObjectId(actor.id), status: 'draft' });
}
