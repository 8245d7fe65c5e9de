/**
 * The business rules of the best-practice library: who may publish what, who sees what, search,
 * moderation and interest. No req/res: the service is built once from its dependencies
 * (services.ts) and routes hand in the actor and parsed input. Writes are single-document and
 * ordered so that a failure half-way leaves no record pointing at a missing file (files are stored
 * before the record, removed after it).
 */
import { Types, trusted } from 'mongoose';
import type { Actor, Clock } from '../../kernel';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, objectIdOr404 } from '../../kernel';
import type { Mailer } from '../../web/mail';
import { queryTerms, runSearch, textTerms } from '../../web/search';
import type { FileStore } from '../../web/files';
import { persistUploads, removeStoredFiles, type StoredFileRef, type UploadedFile } from '../../web/uploads';
import { isDuplicateKeyError } from '../../kernel';
import { companyNames, ownCompany, publicProfiles, reachablePerson } from '../accounts';
import { mayContact } from '../messages';
import { findAsemMember } from '../members';
import { recordAudit } from '../audit';
import type { PracticeInput } from './forms';
import { MARKDOWN_VERSION, renderMarkdown } from '../../web/markdown';
import {
  MAX_ATTACHMENTS,
  PRACTICE_KINDS,
  Practice,
  PracticeInterest,
  TEXT_LANGUAGES,
  THEMES,
  type PracticeDoc,
  type PracticeKind,
  type TextLanguage,
  type Theme,
} from './model';

/** What the practices service is built from (once, at start-up). */
export interface PracticesDeps {
  files: FileStore;
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
}

/**
 * What a practice's search terms are made of. Bump SEARCH_VERSION when this changes: start-up
 * re-indexes the practices indexed by an older version.
 */
export const SEARCH_VERSION = 2;
export function searchTermsOf(p: Pick<PracticeDoc, 'title' | 'summary' | 'body' | 'results'>): string[] {
  return textTerms(p.title, p.summary, p.body, p.results ?? '');
}

/** A conditional single-document update that returns the document after it, or null when the condition did not match. */
async function updateWhere(filter: Record<string, unknown>, update: Record<string, unknown>): Promise<PracticeDoc | null> {
  return Practice.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean<PracticeDoc>();
}

/** The kinds an actor may publish: policy initiatives for officials, business practice for SMEs. */
export function allowedKinds(actor: Actor): PracticeKind[] {
  if (actor.role === 'member') return ['business'];
  return ['policy'];
}

/** Published and not hidden: what everyone may read. */
const VISIBLE = { status: 'published', hiddenAt: null } as const;

function isVisible(p: Pick<PracticeDoc, 'status' | 'hiddenAt'>): boolean {
  return p.status === 'published' && !p.hiddenAt;
}

function isAuthor(actor: Actor | undefined, p: Pick<PracticeDoc, 'author'>): boolean {
  return !!actor && String(p.author) === actor.id;
}

/** Who may read a practice: everyone if visible; its author always; the organizer unless a draft. */
export function canRead(actor: Actor | undefined, p: Pick<PracticeDoc, 'status' | 'hiddenAt' | 'author'>): boolean {
  if (isVisible(p) || isAuthor(actor, p)) return true;
  return actor?.role === 'organizer' && p.status === 'published';
}

/** A practice the actor may read, or 404 (a draft or hidden practice of someone else does not exist). */
export async function getReadablePractice(actor: Actor | undefined, id: unknown): Promise<PracticeDoc> {
  const practice = await Practice.findById(objectIdOr404(id)).lean<PracticeDoc>();
  if (!practice || !canRead(actor, practice)) throw new NotFoundError();
  return practice;
}

/** The actor's own practice, for editing or deleting; anybody else's is a 404. */
export async function getOwnPractice(actor: Actor | undefined, id: unknown): Promise<PracticeDoc> {
  if (!actor) throw new UnauthenticatedError();
  const practice = await Practice.findOne({ _id: objectIdOr404(id), author: new Types.ObjectId(actor.id) }).lean<PracticeDoc>();
  if (!practice) throw new NotFoundError();
  return practice;
}

/** The ASEM member a practice is filed under: the author's own, or (organizer) the one chosen. */
async function memberFor(actor: Actor, chosen: string | undefined): Promise<string> {
  if (actor.role !== 'organizer' && actor.member) return actor.member;
  const member = chosen ? await findAsemMember(chosen) : null;
  if (!member) throw new ValidationError({ member: { key: chosen ? 'validation:invalidChoice' : 'validation:required' } });
  return member.code;
}

function checkKind(actor: Actor, kind: PracticeKind): void {
  if (!allowedKinds(actor).includes(kind)) throw new ValidationError({ kind: { key: 'practices:errors.kindNotAllowed' } });
}

function contentOf(input: PracticeInput) {
  return {
    kind: input.kind,
    title: input.title,
    summary: input.summary,
    body: input.body,
    bodyHtml: renderMarkdown(input.body, 'practices'),
    bodyHtmlVersion: MARKDOWN_VERSION,
    themes: [...new Set(input.themes)] as Theme[],
    language: input.language,
    organisation: input.organisation,
    results: input.results ?? '',
    contact: input.contact ?? '',
    searchTerms: searchTermsOf({ ...input, results: input.results ?? '' }),
    searchVersion: SEARCH_VERSION,
  };
}

/**
 * Creates a practice (draft or published) with its files. The files are moved to their final
 * place first; if the record cannot be written they are removed again.
 */
export async function createPractice(deps: PracticesDeps, actor: Actor, input: PracticeInput, files: UploadedFile[]): Promise<PracticeDoc> {
  const now = deps.clock();
  if (!['member', 'liaison', 'organizer'].includes(actor.role)) throw new ForbiddenError();
  checkKind(actor, input.kind);
  const member = await memberFor(actor, input.member);
  if (files.length > MAX_ATTACHMENTS) throw new ValidationError({ attachments: { key: 'uploads:errors.tooMany', params: { max: MAX_ATTACHMENTS } } });
  const stored = await persistUploads(deps, files);
  try {
    const created = await Practice.create({
      ...contentOf(input),
      member,
      status: input.intent === 'publish' ? 'published' : 'draft',
      publishedAt: input.intent === 'publish' ? now : null,
      attachments: stored,
      author: new Types.ObjectId(actor.id),
      authorRole: actor.role,
      company: actor.role === 'member' && actor.companyId ? new Types.ObjectId(actor.companyId) : null,
    });
    return created.toObject();
  } catch (err) {
    await removeStoredFiles(deps, stored);
    throw err;
  }
}

/**
 * Edits the actor's own practice: new text, files to add and files to remove, in one conditional
 * update (the record still has the attachments we saw, so two edits at once cannot both add up
 * past the limit). New files are stored before the update and removed if it fails; removed files
 * are deleted from disk only after the record no longer names them.
 */
export async function updatePractice(deps: PracticesDeps, actor: Actor, id: unknown, input: PracticeInput, files: UploadedFile[]): Promise<PracticeDoc> {
  const now = deps.clock();
  const current = await getOwnPractice(actor, id);
  checkKind(actor, input.kind);
  const member = actor.role === 'organizer' ? await memberFor(actor, input.member) : current.member;
  const removeIds = new Set(input.removeAttachments);
  const kept = current.attachments.filter((a) => !removeIds.has(String(a._id)));
  const removed = current.attachments.filter((a) => removeIds.has(String(a._id)));
  if (kept.length + files.length > MAX_ATTACHMENTS) {
    throw new ValidationError({ attachments: { key: 'practices:errors.tooManyAttachments', params: { max: MAX_ATTACHMENTS, left: MAX_ATTACHMENTS - kept.length } } });
  }
  const stored = await persistUploads(deps, files);
  const publish = input.intent === 'publish';
  let updated: PracticeDoc | null;
  try {
    updated = await updateWhere(
      { _id: current._id, author: current.author, updatedAt: current.updatedAt },
      {
        $set: {
          ...contentOf(input),
          member,
          status: publish ? 'published' : 'draft',
          publishedAt: publish ? (current.publishedAt ?? now) : current.publishedAt,
          attachments: [...kept, ...stored.map((s) => ({ ...s, _id: new Types.ObjectId() }))],
        },
      },
    );
  } catch (err) {
    await removeStoredFiles(deps, stored);
    throw err;
  }
  if (!updated) {
    await removeStoredFiles(deps, stored);
    throw new ConflictError('practices:errors.changedMeanwhile');
  }
  await removeStoredFiles(deps, removed);
  return updated;
}

/** Deletes the actor's own practice, its interest records, then its files. */
export async function deletePractice(deps: PracticesDeps, actor: Actor, id: unknown): Promise<void> {
  const current = await getOwnPractice(actor, id);
  const deleted = await Practice.findOneAndDelete({ _id: current._id, author: current.author }).lean<PracticeDoc>();
  if (!deleted) throw new NotFoundError();
  await PracticeInterest.deleteMany({ practice: current._id });
  await removeStoredFiles(deps, deleted.attachments as StoredFileRef[]);
}

async function authorRecipient(p: PracticeDoc) {
  const author = await reachablePerson(p.author);
  if (!author) return null;
  return {
    email: author.email,
    name: author.name,
    language: author.language,
    party: { id: author.id, role: author.role, member: author.member },
  };
}

/** The organizer hides a published practice with a reason; the author is told. */
export async function hidePractice(deps: PracticesDeps, actor: Actor, id: unknown, reason: string): Promise<PracticeDoc> {
  const now = deps.clock();
  if (!actor || actor.role !== 'organizer') throw new ForbiddenError();
  const _id = objectIdOr404(id);
  const updated = await updateWhere({ _id, status: 'published', hiddenAt: null }, { $set: { hiddenAt: now, hiddenReason: reason, hiddenBy: new Types.ObjectId(actor.id) } });
  if (!updated) {
    const exists = await Practice.exists({ _id, status: 'published' });
    if (!exists) throw new NotFoundError();
    throw new ConflictError('practices:errors.alreadyHidden');
  }
  await recordAudit({ actor, action: 'practice.hide', targetType: 'Practice', targetId: String(_id), before: { hidden: false }, after: { hidden: true }, note: reason, at: now });
  const to = await authorRecipient(updated);
  if (to) {
    await deps.mailer.notify(to, {
      subject: { key: 'practices:emails.hidden.subject' },
      lines: [{ key: 'practices:emails.hidden.body', params: { title: updated.title } }, { key: 'practices:emails.hidden.reason' }, { quote: reason }],
      action: { label: { key: 'practices:emails.hidden.action' }, url: `${deps.baseUrl}/practices/${String(_id)}` },
    });
  }
  return updated;
}

/** The organizer restores a hidden practice with a reason; the author is told. */
export async function restorePractice(deps: PracticesDeps, actor: Actor, id: unknown, reason: string): Promise<PracticeDoc> {
  const now = deps.clock();
  if (!actor || actor.role !== 'organizer') throw new ForbiddenError();
  const _id = objectIdOr404(id);
  const updated = await updateWhere({ _id, status: 'published', hiddenAt: trusted({ $ne: null }) }, { $set: { hiddenAt: null, hiddenReason: '', hiddenBy: null } });
  if (!updated) {
    const exists = await Practice.exists({ _id, status: 'published' });
    if (!exists) throw new NotFoundError();
    throw new ConflictError('practices:errors.notHidden');
  }
  await recordAudit({ actor, action: 'practice.restore', targetType: 'Practice', targetId: String(_id), before: { hidden: true }, after: { hidden: false }, note: reason, at: now });
  const to = await authorRecipient(updated);
  if (to) {
    await deps.mailer.notify(to, {
      subject: { key: 'practices:emails.restored.subject' },
      lines: [{ key: 'practices:emails.restored.body', params: { title: updated.title } }, { key: 'practices:emails.restored.reason' }, { quote: reason }],
      action: { label: { key: 'practices:emails.restored.action' }, url: `${deps.baseUrl}/practices/${String(_id)}` },
    });
  }
  return updated;
}

/**
 * A reader says they are interested in adopting a practice: one record per reader (unique index),
 * and the author is told who, with a link to write to them. Returns false when already recorded.
 */
export async function expressInterest(deps: PracticesDeps, actor: Actor | undefined, id: unknown): Promise<boolean> {
  if (!actor) throw new UnauthenticatedError();
  const practice = await getReadablePractice(actor, id);
  if (!isVisible(practice)) throw new NotFoundError();
  if (isAuthor(actor, practice)) throw new ConflictError('practices:errors.ownPractice');
  try {
    await PracticeInterest.create({ practice: practice._id, user: new Types.ObjectId(actor.id), createdAt: deps.clock() });
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
  const to = await authorRecipient(practice);
  if (to) {
    const [company, profiles] = await Promise.all([ownCompany(actor), publicProfiles([actor.id])]);
    const organisation = company?.name ?? profiles.get(actor.id)?.agency ?? '';
    const mayWrite = mayContact(to.party, { id: actor.id, role: actor.role, member: actor.member });
    await deps.mailer.notify(to, {
      subject: { key: 'practices:emails.interest.subject', params: { title: practice.title } },
      lines: [
        { key: organisation ? 'practices:emails.interest.bodyWithOrg' : 'practices:emails.interest.body', params: { name: actor.name, organisation, title: practice.title } },
        { key: mayWrite ? 'practices:emails.interest.reply' : 'practices:emails.interest.noDirectMessage' },
      ],
      // Offer the "write to them" link only where the messaging rules let the author write back.
      action: mayWrite ? { label: { key: 'practices:emails.interest.action' }, url: `${deps.baseUrl}/messages/new?to=${actor.id}` } : undefined,
    });
  }
  return true;
}

/** Interest is counted where it is read (one record per reader), so no stored counter can drift. */
export async function interestOf(actor: Actor | undefined, practiceId: Types.ObjectId): Promise<{ count: number; mine: boolean }> {
  const [count, mine] = await Promise.all([
    PracticeInterest.countDocuments({ practice: practiceId }),
    actor ? PracticeInterest.exists({ practice: practiceId, user: new Types.ObjectId(actor.id) }) : null,
  ]);
  return { count, mine: !!mine };
}

export interface ListFilters {
  q: string;
  theme: Theme | '';
  member: string;
  kind: PracticeKind | '';
  language: TextLanguage | '';
}

/** Filters from the query string; an unknown value is ignored (the list stays usable when shared). */
export function filtersFrom(query: Record<string, unknown>): ListFilters {
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const theme = str(query.theme);
  const kind = str(query.kind);
  const language = str(query.language);
  const member = str(query.member).toUpperCase();
  return {
    q: str(query.q).slice(0, 200),
    theme: (THEMES as readonly string[]).includes(theme) ? (theme as Theme) : '',
    member: /^[A-Z0-9-]{2,12}$/.test(member) ? member : '',
    kind: (PRACTICE_KINDS as readonly string[]).includes(kind) ? (kind as PracticeKind) : '',
    language: (TEXT_LANGUAGES as readonly string[]).includes(language) ? (language as TextLanguage) : '',
  };
}

export type PracticeSummary = Pick<PracticeDoc, '_id' | 'kind' | 'title' | 'summary' | 'themes' | 'member' | 'language' | 'organisation' | 'publishedAt' | 'createdAt'> & {
  attachmentCount?: number;
  score?: number;
};

const SUMMARY_PROJECTION = { kind: 1, title: 1, summary: 1, themes: 1, member: 1, language: 1, organisation: 1, publishedAt: 1, createdAt: 1, attachmentCount: { $size: '$attachments' } } as const;

/** The public list: visible practices, filtered, ranked by search terms then newest first. */
export async function listPractices(filters: ListFilters, page: { skip: number; perPage: number }): Promise<{ items: PracticeSummary[]; total: number; searched: boolean }> {
  const match: Record<string, unknown> = { ...VISIBLE };
  if (filters.theme) match.themes = filters.theme;
  if (filters.member) match.member = filters.member;
  if (filters.kind) match.kind = filters.kind;
  if (filters.language) match.language = filters.language;
  const terms = queryTerms(filters.q);
  const { items, total } = await runSearch<PracticeSummary>(Practice, {
    field: 'searchTerms',
    terms,
    match,
    sortTie: { publishedAt: -1 },
    skip: page.skip,
    limit: page.perPage,
    project: { ...SUMMARY_PROJECTION, score: 1 },
  });
  return { items, total, searched: terms.length > 0 };
}

/** Latest visible practices (home page, feed). */
export async function latestPractices(limit: number): Promise<PracticeDoc[]> {
  return Practice.find(VISIBLE).sort({ publishedAt: -1, _id: -1 }).limit(limit).lean<PracticeDoc[]>();
}

/** Other visible practices sharing themes with this one: most shared themes first, then newest. */
export async function relatedPractices(p: PracticeDoc, limit = 5): Promise<PracticeSummary[]> {
  if (!p.themes.length) return [];
  const items = await Practice.aggregate<PracticeSummary & { shared: number }>([
    { $match: { ...VISIBLE, _id: { $ne: p._id }, themes: { $in: p.themes } } },
    { $addFields: { shared: { $size: { $setIntersection: ['$themes', p.themes] } } } },
    { $sort: { shared: -1, publishedAt: -1, _id: -1 } },
    { $limit: limit },
    { $project: SUMMARY_PROJECTION },
  ]);
  return items;
}

/** The actor's own practices (drafts included), newest first. */
export async function ownPractices(actor: Actor): Promise<PracticeDoc[]> {
  return Practice.find({ author: new Types.ObjectId(actor.id) }).sort({ updatedAt: -1, _id: -1 }).limit(200).lean<PracticeDoc[]>();
}

/** Who wrote it: the company (members), the agency (liaisons) or the host secretariat. */
export async function authorDetails(p: PracticeDoc): Promise<{ name: string; role: string; company: { id: string; name: string } | null; agency: string }> {
  const [profiles, companies] = await Promise.all([publicProfiles([p.author]), companyNames(p.company ? [p.company] : [])]);
  const author = profiles.get(String(p.author));
  const companyName = p.company ? companies.get(String(p.company)) : undefined;
  return {
    name: author?.name ?? '',
    role: author?.role ?? p.authorRole,
    company: p.company && companyName !== undefined ? { id: String(p.company), name: companyName } : null,
    agency: author?.agency ?? '',
  };
}

export type ModerationFilter = 'all' | 'visible' | 'hidden';

/** The organizer's moderation list: every published practice, hidden ones first when asked. */
export async function moderationList(actor: Actor, filter: ModerationFilter, page: { skip: number; perPage: number }): Promise<{ items: PracticeDoc[]; total: number }> {
  if (actor.role !== 'organizer') throw new ForbiddenError();
  const match: Record<string, unknown> = { status: 'published' };
  if (filter === 'visible') match.hiddenAt = null;
  if (filter === 'hidden') match.hiddenAt = trusted({ $ne: null });
  const [items, total] = await Promise.all([
    Practice.find(match).sort({ publishedAt: -1, _id: -1 }).skip(page.skip).limit(page.perPage).lean<PracticeDoc[]>(),
    Practice.countDocuments(match),
  ]);
  return { items, total };
}

/** A stored attachment of a practice the actor may read, or 404. */
export async function attachmentFor(actor: Actor | undefined, practiceId: unknown, fileId: unknown): Promise<StoredFileRef> {
  const practice = await getReadablePractice(actor, practiceId);
  const fid = typeof fileId === 'string' ? fileId : '';
  const file = practice.attachments.find((a) => String(a._id) === fid);
  if (!file) throw new NotFoundError();
  return { storedName: file.storedName, originalName: file.originalName, size: file.size, kind: file.kind, mime: file.mime };
}

/**
 * Re-renders the practices whose HTML an older Markdown renderer made (start-up), so a change of
 * the sanitiser reaches old content. A practice edited meanwhile is left to its edit.
 */
export async function rerenderStalePractices(): Promise<number> {
  let count = 0;
  for await (const p of Practice.find({ bodyHtmlVersion: trusted({ $ne: MARKDOWN_VERSION }) }, { body: 1 }).lean().cursor()) {
    const res = await Practice.updateOne({ _id: p._id, body: p.body }, { $set: { bodyHtml: renderMarkdown(p.body, 'practices'), bodyHtmlVersion: MARKDOWN_VERSION } });
    count += res.modifiedCount;
  }
  return count;
}

/**
 * Re-indexes the practices whose search terms an older SEARCH_VERSION made (start-up), e.g. before
 * "Results and impact" was searched. A practice edited meanwhile is left to its edit. Idempotent.
 */
export async function reindexStalePractices(): Promise<number> {
  let count = 0;
  const stale = Practice.find({ searchVersion: trusted({ $ne: SEARCH_VERSION }) }, { title: 1, summary: 1, body: 1, results: 1, updatedAt: 1 }).lean<PracticeDoc[]>().cursor();
  for await (const p of stale) {
    const res = await Practice.updateOne(
      { _id: p._id, updatedAt: p.updatedAt },
      { $set: { searchTerms: searchTermsOf(p), searchVersion: SEARCH_VERSION } },
      { timestamps: false },
    );
    count += res.modifiedCount;
  }
  return count;
}
