/**
 * Business opportunities: a company posts an offer or a request (or a liaison on behalf of a
 * cluster or agency of its member, marked as such). Open = not closed, not hidden, not expired;
 * only open ones are listed, searched, suggested, fed and digested. A closed or expired one keeps
 * its page (marked), a hidden one is seen only by its author and the organizer.
 */
import { Types, trusted } from 'mongoose';
import type { Actor, Clock } from '../../kernel';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, isDuplicateKeyError, isObjectId, objectIdOr404 } from '../../kernel';
import type { Mailer } from '../../web/mail';
import { MARKDOWN_VERSION, renderMarkdown } from '../../web/markdown';
import { queryTerms, textTerms } from '../../web/search';
import { persistUploads, removeStoredFiles, type StoredFileRef, type UploadedFile } from '../../web/uploads';
import type { FileStore } from '../../web/files';
import { companyNames, ownCompany, reachablePerson, suspendedAccountIds, visibleCompanyIds } from '../accounts';
import { findAsemMember } from '../members';
import { MAX_ATTACHMENTS, MAX_EXPIRY_DAYS, Opportunity, PartnerReport, type CloseReason, type OpportunityDoc } from './model';

const DAY = 24 * 60 * 60 * 1000;
export const EXPIRY_NOTICE_DAYS = 7;

export interface OpportunityDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  files: FileStore;
}

export interface OpportunityInput {
  kind: 'offer' | 'request';
  title: string;
  description: string;
  cooperationType: string;
  isic: string[];
  targetMarkets: string[];
  language: string;
  expiresOn: string; // YYYY-MM-DD
  onBehalfOf: string;
  removeAttachments: string[];
}

/** The expiry date: end of the given day (UTC), after now and at most 12 months ahead. */
export function expiryFrom(value: string, now: Date): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59)) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) throw new ValidationError({ expiresOn: { key: 'validation:invalid' } });
  if (date.getTime() <= now.getTime()) throw new ValidationError({ expiresOn: { key: 'partners:opportunities.errors.expiryPast' } });
  const limit = new Date(now);
  limit.setUTCFullYear(limit.getUTCFullYear() + 1);
  if (date.getTime() > limit.getTime() + DAY || date.getTime() - now.getTime() > MAX_EXPIRY_DAYS * DAY) throw new ValidationError({ expiresOn: { key: 'partners:opportunities.errors.expiryTooFar' } });
  return date;
}

/** The condition for opportunities shown in lists, search, suggestions, the feed and the digest. */
export function openCondition(now: Date): Record<string, unknown> {
  return { closedAt: null, hiddenAt: null, expiresAt: trusted({ $gt: now }) };
}

async function authorship(actor: Actor | undefined, onBehalfOf: string): Promise<{ company: Types.ObjectId | null; member: string; onBehalfOf: string; authorRole: 'member' | 'liaison' }> {
  if (!actor) throw new UnauthenticatedError();
  if (actor.role === 'member') {
    const company = await ownCompany(actor);
    if (!company) throw new ForbiddenError();
    return { company: new Types.ObjectId(company.id), member: company.member, onBehalfOf: '', authorRole: 'member' };
  }
  if (actor.role === 'liaison' && actor.member) {
    if (!onBehalfOf) throw new ValidationError({ onBehalfOf: { key: 'partners:opportunities.errors.onBehalfOfRequired' } });
    return { company: null, member: actor.member, onBehalfOf, authorRole: 'liaison' };
  }
  throw new ForbiddenError();
}

function termsOf(o: Pick<OpportunityDoc, 'title' | 'description' | 'onBehalfOf'>, companyName: string): string[] {
  return textTerms(o.title, o.description, o.onBehalfOf, companyName);
}

export async function createOpportunity(deps: OpportunityDeps, actor: Actor | undefined, input: OpportunityInput, files: UploadedFile[]): Promise<OpportunityDoc> {
  const who = await authorship(actor, input.onBehalfOf);
  const now = deps.clock();
  const expiresAt = expiryFrom(input.expiresOn, now);
  if (files.length > MAX_ATTACHMENTS) throw new ValidationError({ attachments: { key: 'uploads:errors.tooMany', params: { max: MAX_ATTACHMENTS } } });
  const member = await findAsemMember(who.member);
  const companyName = who.company ? ((await companyNames([who.company])).get(String(who.company)) ?? '') : '';
  const stored = await persistUploads(deps, files);
  try {
    const doc = await Opportunity.create({
      kind: input.kind,
      title: input.title,
      description: input.description,
      descriptionHtml: renderMarkdown(input.description, 'opportunities'),
      descriptionHtmlVersion: MARKDOWN_VERSION,
      cooperationType: input.cooperationType,
      isic: input.isic,
      targetMarkets: input.targetMarkets,
      language: input.language,
      attachments: stored,
      company: who.company,
      onBehalfOf: who.onBehalfOf,
      member: who.member,
      region: member?.region ?? '',
      author: new Types.ObjectId(actor!.id),
      authorRole: who.authorRole,
      expiresAt,
      searchTerms: termsOf({ title: input.title, description: input.description, onBehalfOf: who.onBehalfOf }, companyName),
    });
    return doc.toObject();
  } catch (err) {
    await removeStoredFiles(deps, stored);
    throw err;
  }
}

function isAuthor(actor: Actor | undefined, o: OpportunityDoc): boolean {
  return !!actor && String(o.author) === actor.id;
}

/** An opportunity the actor may read: visible to all unless hidden (then author and organizer only). */
export async function readableOpportunity(actor: Actor | undefined, id: unknown): Promise<OpportunityDoc> {
  const o = await Opportunity.findById(objectIdOr404(id)).lean<OpportunityDoc>();
  if (!o) throw new NotFoundError();
  const privileged = isAuthor(actor, o) || actor?.role === 'organizer';
  if (o.hiddenAt && !privileged) throw new NotFoundError();
  // The posting company's owner suspended or unlisted: nothing of it shows to others.
  if (o.company && !privileged && !(await visibleCompanyIds([o.company])).has(String(o.company))) throw new NotFoundError();
  // Nor of a suspended author (a liaison posting for a cluster or agency has no company).
  if (!privileged && (await suspendedAccountIds()).includes(String(o.author))) throw new NotFoundError();
  return o;
}

async function ownOpportunity(actor: Actor | undefined, id: unknown): Promise<OpportunityDoc> {
  if (!actor) throw new UnauthenticatedError();
  const o = await Opportunity.findOne({ _id: objectIdOr404(id), author: new Types.ObjectId(actor.id) }).lean<OpportunityDoc>();
  if (!o) throw new NotFoundError();
  return o;
}

export async function updateOpportunity(deps: OpportunityDeps, actor: Actor | undefined, id: unknown, input: OpportunityInput, files: UploadedFile[]): Promise<OpportunityDoc> {
  const current = await ownOpportunity(actor, id);
  const now = deps.clock();
  const expiresAt = current.expiresAt.toISOString().slice(0, 10) === input.expiresOn ? current.expiresAt : expiryFrom(input.expiresOn, now);
  const remove = new Set(input.removeAttachments);
  const kept = current.attachments.filter((a) => !remove.has(String(a._id)));
  if (kept.length + files.length > MAX_ATTACHMENTS) throw new ValidationError({ attachments: { key: 'uploads:errors.tooMany', params: { max: MAX_ATTACHMENTS } } });
  const companyName = current.company ? ((await companyNames([current.company])).get(String(current.company)) ?? '') : '';
  const onBehalfOf = current.authorRole === 'liaison' ? input.onBehalfOf || current.onBehalfOf : '';
  const stored = await persistUploads(deps, files);
  const updated = await Opportunity.findOneAndUpdate(
    { _id: current._id, author: current.author, updatedAt: current.updatedAt },
    {
      $set: {
        kind: input.kind,
        title: input.title,
        description: input.description,
        descriptionHtml: renderMarkdown(input.description, 'opportunities'),
        descriptionHtmlVersion: MARKDOWN_VERSION,
        cooperationType: input.cooperationType,
        isic: input.isic,
        targetMarkets: input.targetMarkets,
        language: input.language,
        onBehalfOf,
        attachments: [...kept, ...stored],
        expiresAt,
        ...(expiresAt.getTime() !== current.expiresAt.getTime() ? { expiryNoticeFor: null } : {}),
        searchTerms: termsOf({ title: input.title, description: input.description, onBehalfOf }, companyName),
      },
    },
    { returnDocument: 'after' },
  ).lean<OpportunityDoc>();
  if (!updated) {
    await removeStoredFiles(deps, stored);
    throw new ConflictError('partners:opportunities.errors.changedMeanwhile');
  }
  await removeStoredFiles(deps, current.attachments.filter((a) => remove.has(String(a._id))));
  return updated;
}

export async function closeOpportunity(deps: OpportunityDeps, actor: Actor | undefined, id: unknown, reason: CloseReason): Promise<void> {
  const current = await ownOpportunity(actor, id);
  const res = await Opportunity.updateOne({ _id: current._id, closedAt: null }, { $set: { closedAt: deps.clock(), closeReason: reason } });
  if (res.modifiedCount !== 1) throw new ConflictError('partners:opportunities.errors.alreadyClosed');
}

/** Renews: a new expiry date (≤ 12 months), and a closed one opens again. */
export async function renewOpportunity(deps: OpportunityDeps, actor: Actor | undefined, id: unknown, expiresOn: string): Promise<void> {
  const current = await ownOpportunity(actor, id);
  const expiresAt = expiryFrom(expiresOn, deps.clock());
  await Opportunity.updateOne({ _id: current._id }, { $set: { expiresAt, expiryNoticeFor: null, closedAt: null, closeReason: null } });
}

export async function reportOpportunity(deps: OpportunityDeps, actor: Actor | undefined, id: unknown, reason: string): Promise<void> {
  if (!actor) throw new UnauthenticatedError();
  const o = await readableOpportunity(actor, id);
  if (isAuthor(actor, o)) throw new ValidationError({ reason: { key: 'partners:opportunities.errors.ownReport' } });
  try {
    await PartnerReport.create({ targetType: 'opportunity', target: o._id, reporter: new Types.ObjectId(actor.id), reason, createdAt: deps.clock() });
    await Opportunity.updateOne({ _id: o._id }, { $inc: { reports: 1 } });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

async function tellAuthor(deps: OpportunityDeps, o: OpportunityDoc, what: 'hidden' | 'restored', reason: string): Promise<void> {
  const author = await reachablePerson(o.author);
  if (!author) return;
  await deps.mailer.notify(author, {
    subject: { key: `partners:emails.${what}.subject`, params: { title: o.title } },
    lines: [{ key: `partners:emails.${what}.body`, params: { title: o.title } }, { quote: reason }],
    action: { label: { key: 'partners:emails.open' }, url: `${deps.baseUrl}/opportunities/${String(o._id)}` },
  });
}

export async function hideOpportunity(deps: OpportunityDeps, actor: Actor | undefined, id: unknown, reason: string): Promise<void> {
  if (actor?.role !== 'organizer') throw new ForbiddenError();
  const now = deps.clock();
  const o = await Opportunity.findOneAndUpdate({ _id: objectIdOr404(id), hiddenAt: null }, { $set: { hiddenAt: now, hiddenReason: reason } }, { returnDocument: 'after' }).lean<OpportunityDoc>();
  if (!o) {
    if (!(await Opportunity.exists({ _id: objectIdOr404(id) }))) throw new NotFoundError();
    throw new ConflictError('partners:opportunities.errors.alreadyHidden');
  }
  await PartnerReport.updateMany({ targetType: 'opportunity', target: o._id, resolvedAt: null }, { $set: { resolvedAt: now } });
  await tellAuthor(deps, o, 'hidden', reason);
}

export async function restoreOpportunity(deps: OpportunityDeps, actor: Actor | undefined, id: unknown, reason: string): Promise<void> {
  if (actor?.role !== 'organizer') throw new ForbiddenError();
  const o = await Opportunity.findOneAndUpdate({ _id: objectIdOr404(id), hiddenAt: trusted({ $ne: null }) }, { $set: { hiddenAt: null, hiddenReason: '' } }, { returnDocument: 'after' }).lean<OpportunityDoc>();
  if (!o) {
    if (!(await Opportunity.exists({ _id: objectIdOr404(id) }))) throw new NotFoundError();
    throw new ConflictError('partners:opportunities.errors.notHidden');
  }
  await tellAuthor(deps, o, 'restored', reason);
}

/** The organizer dismisses the open reports of a target without hiding it. */
export async function dismissReports(deps: OpportunityDeps, actor: Actor | undefined, reportId: unknown): Promise<void> {
  if (actor?.role !== 'organizer') throw new ForbiddenError();
  const report = await PartnerReport.findById(objectIdOr404(reportId)).lean();
  if (!report) throw new NotFoundError();
  await PartnerReport.updateMany({ targetType: report.targetType, target: report.target, resolvedAt: null }, { $set: { resolvedAt: deps.clock() } });
}

export interface OpportunitySearch {
  q: string;
  kinds: string[];
  members: string[];
  regions: string[];
  isic: string[];
  cooperationTypes: string[];
  targetMarkets: string[];
  sort: 'relevance' | 'newest';
  skip: number;
  limit: number;
}

export type OpportunitySummary = Pick<OpportunityDoc, '_id' | 'kind' | 'title' | 'cooperationType' | 'isic' | 'targetMarkets' | 'member' | 'region' | 'company' | 'onBehalfOf' | 'expiresAt' | 'createdAt'> & { score?: number };

const SUMMARY = { kind: 1, title: 1, cooperationType: 1, isic: 1, targetMarkets: 1, member: 1, region: 1, company: 1, onBehalfOf: 1, expiresAt: 1, createdAt: 1 } as const;

/**
 * The open opportunities, searched and filtered, with facet counts (each facet counted with the
 * other filters applied), in one $facet after an indexed $match. Opportunities of companies no
 * longer shown (suspended, unlisted) are left out.
 */
export async function searchOpportunities(s: OpportunitySearch, now: Date): Promise<{ items: OpportunitySummary[]; total: number; facets: Record<string, { value: string; count: number }[]> }> {
  const base: Record<string, unknown> = { ...openCondition(now) };
  const terms = queryTerms(s.q);
  if (terms.length) base.searchTerms = { $in: terms };
  const hiddenCompanies = await companiesNotShown(now);
  if (hiddenCompanies.length) base.company = { $nin: hiddenCompanies };
  const goneAuthors = await suspendedAuthors();
  if (goneAuthors.length) base.author = { $nin: goneAuthors };
  const filters: Record<string, Record<string, unknown>> = {};
  if (s.kinds.length) filters.kind = { kind: { $in: s.kinds } };
  if (s.members.length) filters.member = { member: { $in: s.members } };
  if (s.regions.length) filters.region = { region: { $in: s.regions } };
  if (s.isic.length) filters.isic = { isic: { $in: s.isic } };
  if (s.cooperationTypes.length) filters.cooperationType = { cooperationType: { $in: s.cooperationTypes } };
  if (s.targetMarkets.length) filters.targetMarkets = { targetMarkets: { $in: s.targetMarkets } };
  const allBut = (f: string | null) => Object.entries(filters).filter(([k]) => k !== f).map(([, v]) => v);
  const andOf = (parts: Record<string, unknown>[]) => (parts.length ? { $and: parts } : {});
  const facet = (field: string, multi: boolean) => [
    { $match: andOf(allBut(field)) },
    ...(multi ? [{ $unwind: `$${field}` }] : []),
    { $group: { _id: `$${field}`, count: { $sum: 1 } } },
  ];
  const results: Record<string, unknown>[] = [{ $match: andOf(allBut(null)) }];
  if (terms.length) results.push({ $addFields: { score: { $size: { $setIntersection: [{ $ifNull: ['$searchTerms', []] }, terms] } } } });
  results.push({ $sort: terms.length && s.sort === 'relevance' ? { score: -1, createdAt: -1, _id: -1 } : { createdAt: -1, _id: -1 } }, { $skip: Math.max(0, s.skip) }, { $limit: Math.max(1, s.limit) }, { $project: { ...SUMMARY, score: 1 } });
  const [out] = await Opportunity.aggregate<Record<string, { _id: unknown; count: number }[]> & { items: OpportunitySummary[]; total: { n: number }[] }>([
    { $match: base },
    {
      $facet: {
        items: results,
        total: [{ $match: andOf(allBut(null)) }, { $count: 'n' }],
        kind: facet('kind', false),
        member: facet('member', false),
        region: facet('region', false),
        isic: facet('isic', true),
        cooperationType: facet('cooperationType', false),
        targetMarkets: facet('targetMarkets', true),
      },
    } as never,
  ]);
  const facets: Record<string, { value: string; count: number }[]> = {};
  for (const key of ['kind', 'member', 'region', 'isic', 'cooperationType', 'targetMarkets']) {
    facets[key] = ((out?.[key] as { _id: unknown; count: number }[] | undefined) ?? []).filter((r) => typeof r._id === 'string' && r._id).map((r) => ({ value: r._id as string, count: r.count }));
  }
  return { items: out?.items ?? [], total: out?.total?.[0]?.n ?? 0, facets };
}

/** Suspended accounts: their opportunities (with or without a company) show nowhere. */
async function suspendedAuthors(): Promise<Types.ObjectId[]> {
  return (await suspendedAccountIds()).map((id) => new Types.ObjectId(id));
}

/** Companies with open opportunities whose owner can no longer be shown (few; checked per list). */
async function companiesNotShown(now: Date): Promise<Types.ObjectId[]> {
  const ids = (await Opportunity.distinct('company', { ...openCondition(now), company: trusted({ $ne: null }) })) as Types.ObjectId[];
  if (!ids.length) return [];
  const visible = await visibleCompanyIds(ids);
  return ids.filter((id) => !visible.has(String(id)));
}

/** Latest open opportunities (feed, digest candidates), optionally newer than a date. */
export async function latestOpenOpportunities(now: Date, opts: { since?: Date; limit: number }): Promise<OpportunityDoc[]> {
  const match: Record<string, unknown> = { ...openCondition(now) };
  if (opts.since) match.createdAt = trusted({ $gt: opts.since });
  const hidden = await companiesNotShown(now);
  if (hidden.length) match.company = trusted({ $nin: hidden });
  const goneAuthors = await suspendedAuthors();
  if (goneAuthors.length) match.author = trusted({ $nin: goneAuthors });
  return Opportunity.find(match).sort({ createdAt: -1, _id: -1 }).limit(opts.limit).lean<OpportunityDoc[]>();
}

/** The actor's own opportunities (every state), newest first. */
export async function ownOpportunities(actor: Actor): Promise<OpportunityDoc[]> {
  return Opportunity.find({ author: new Types.ObjectId(actor.id) }).sort({ createdAt: -1 }).limit(200).lean<OpportunityDoc[]>();
}

/** A liaison's view: its member's opportunities (every state but hidden), newest first. */
export async function memberOpportunities(actor: Actor): Promise<OpportunityDoc[]> {
  if (actor.role !== 'liaison' || !actor.member) throw new ForbiddenError();
  return Opportunity.find({ member: actor.member, hiddenAt: null }).sort({ createdAt: -1 }).limit(200).lean<OpportunityDoc[]>();
}

/** A stored attachment of an opportunity the actor may read, or 404. */
export async function opportunityAttachment(actor: Actor | undefined, id: unknown, fileId: unknown): Promise<StoredFileRef> {
  const o = await readableOpportunity(actor, id);
  const file = o.attachments.find((a) => isObjectId(fileId) && String(a._id) === fileId);
  if (!file) throw new NotFoundError();
  return { storedName: file.storedName, originalName: file.originalName, size: file.size, kind: file.kind, mime: file.mime };
}

/**
 * The 7-day expiry e-mail: each opportunity that expires within 7 days and has not had its notice
 * for this expiry date is claimed by one conditional update (several instances send it once).
 */
export async function sendExpiryNotices(deps: OpportunityDeps): Promise<number> {
  const now = deps.clock();
  const soon = new Date(now.getTime() + EXPIRY_NOTICE_DAYS * DAY);
  const due = await Opportunity.find({ closedAt: null, hiddenAt: null, expiresAt: trusted({ $gt: now, $lte: soon }), expiryNoticeFor: null }, { _id: 1, expiresAt: 1 }).limit(500).lean();
  let sent = 0;
  for (const { _id, expiresAt } of due) {
    const claimed = await Opportunity.findOneAndUpdate({ _id, expiresAt, expiryNoticeFor: null }, { $set: { expiryNoticeFor: expiresAt } }, { returnDocument: 'after' }).lean<OpportunityDoc>();
    if (!claimed) continue;
    const author = await reachablePerson(claimed.author);
    if (!author) continue;
    await deps.mailer.notify(author, {
      subject: { key: 'partners:emails.expiring.subject', params: { title: claimed.title } },
      lines: [{ key: 'partners:emails.expiring.body', params: { title: claimed.title, date: claimed.expiresAt.toISOString().slice(0, 10) } }],
      action: { label: { key: 'partners:emails.expiring.action' }, url: `${deps.baseUrl}/opportunities/${String(claimed._id)}` },
    });
    sent++;
  }
  return sent;
}
