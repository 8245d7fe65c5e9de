/**
 * Business-practice drafts made on another module's behalf: a good outcome of a meeting at the hall
 * (the SME makes it for itself), or an exhibitor's report after the fair that its author agreed may
 * be published (the organizer prepares it for the SME). Either way the draft belongs to the SME's
 * account: it stays private to its author, who edits and publishes it through the ordinary form.
 */
import { Types } from 'mongoose';
import { ForbiddenError, assertRole, type Actor } from '../../kernel';
import { MARKDOWN_VERSION, renderMarkdown } from '../../web/markdown';
import { Practice, type TextLanguage, type Theme } from './model';
import { SEARCH_VERSION, searchTermsOf } from './service';

export interface PracticeDraftInput {
  title: string;
  summary: string;
  body: string;
  organisation: string;
  language: TextLanguage;
}

/** The draft's text and owner; `id` lets a caller record the link before the draft exists. */
interface DraftRecord extends PracticeDraftInput {
  id?: string;
  author: string;
  company: string | null;
  member: string;
  results: string;
  themes: Theme[];
}

async function insertDraft(d: DraftRecord): Promise<string> {
  const created = await Practice.create({
    ...(d.id ? { _id: new Types.ObjectId(d.id) } : {}),
    kind: 'business',
    status: 'draft',
    publishedAt: null,
    title: d.title,
    summary: d.summary,
    body: d.body,
    bodyHtml: renderMarkdown(d.body, 'practices'),
    bodyHtmlVersion: MARKDOWN_VERSION,
    themes: d.themes,
    member: d.member,
    language: d.language,
    organisation: d.organisation,
    results: d.results,
    contact: '',
    attachments: [],
    author: new Types.ObjectId(d.author),
    authorRole: 'member',
    company: d.company ? new Types.ObjectId(d.company) : null,
    searchTerms: searchTermsOf({ title: d.title, summary: d.summary, body: d.body, results: d.results }),
    searchVersion: SEARCH_VERSION,
  });
  return String(created._id);
}

/** Creates a business-practice draft of the SME's own account, filed under its ASEM member; returns its id. */
export async function createPracticeDraft(actor: Actor, input: PracticeDraftInput): Promise<string> {
  if (actor.role !== 'member' || !actor.member) throw new ForbiddenError();
  return insertDraft({ ...input, author: actor.id, company: actor.companyId ?? null, member: actor.member, results: '', themes: [] });
}

export interface PracticeDraftForInput extends PracticeDraftInput {
  id: string;
  /** The SME's member account that will own the draft, its company and ASEM member. */
  author: string;
  company: string;
  member: string;
  results: string;
  themes: Theme[];
}

/** The organizer prepares a draft owned by an SME's account; returns its id. */
export async function createPracticeDraftFor(actor: Actor, input: PracticeDraftForInput): Promise<string> {
  assertRole(actor, 'organizer');
  return insertDraft(input);
}

/** Removes a draft made by createPracticeDraft that its caller could not attach (a lost race). */
export async function discardPracticeDraft(actor: Actor, id: string): Promise<void> {
  await Practice.deleteOne({ _id: new Types.ObjectId(id), author: new Types.ObjectId(actor.id), status: 'draft' });
}
