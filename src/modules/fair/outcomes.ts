/**
 * Outcome reports: after the fair, each exhibiting company files one report for the edition
 * (contacts made, deals, what went well, what to improve, and whether the organizer may publish it
 * as a best practice). It can be edited for REPORT_DAYS days after the fair. The organizer reads
 * them per edition (page and CSV) and may turn a consented one into a practice draft, once.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { ConflictError, ForbiddenError, NotFoundError, assertRole, isDuplicateKeyError, objectIdOr404 } from '../../kernel';
import { fields } from '../../web/forms';
import { localized, translator, type Language } from '../../web/i18n';
import { recordAudit } from '../audit';
import { reachablePerson } from '../accounts';
import { createPracticeDraftFor } from '../practices';
import { EXHIBITOR_STATUSES } from './continuity';
import { OutcomeReport, type OutcomeReportDoc } from './continuity-model';
import type { FairDeps } from './deps';
import { findEdition } from './editions';
import { BoothRequest, FairEdition, type BoothRequestDoc, type FairEditionDoc } from './model';

/** How long after the fair a report may be filed or edited. */
export const REPORT_DAYS = 90;
const DAY = 86_400_000;

export const OutcomeForm = z.object({
  contactsMade: fields.int(0, 100_000),
  deals: fields.int(0, 10_000),
  dealValue: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number().int('validation:invalid').min(0, 'validation:invalid').max(1_000_000_000_000, 'validation:invalid').optional()),
  wentWell: fields.optionalText(4000),
  toImprove: fields.optionalText(4000),
  consent: fields.checkbox(),
});
export type OutcomeInput = z.infer<typeof OutcomeForm>;

/** The fair is over at the end of its last day (UTC). */
export function fairOverAt(edition: Pick<FairEditionDoc, 'endsOn'>): Date {
  return new Date(edition.endsOn.getTime() + DAY);
}

export function reportsCloseAt(edition: Pick<FairEditionDoc, 'endsOn'>): Date {
  return new Date(fairOverAt(edition).getTime() + REPORT_DAYS * DAY);
}

export type ReportWindow = 'before' | 'open' | 'closed';

export function reportWindow(edition: Pick<FairEditionDoc, 'endsOn'>, now: Date): ReportWindow {
  if (now < fairOverAt(edition)) return 'before';
  return now < reportsCloseAt(edition) ? 'open' : 'closed';
}

/** The request through which the actor's company exhibited at the edition, or null. */
export async function exhibitorRequestOf(actor: Actor, editionId: Types.ObjectId): Promise<BoothRequestDoc | null> {
  if (actor.role !== 'member' || !actor.companyId || !Types.ObjectId.isValid(actor.companyId)) return null;
  return BoothRequest.findOne(
    { edition: editionId, company: new Types.ObjectId(actor.companyId), status: trusted({ $in: [...EXHIBITOR_STATUSES] }) },
    { timeline: 0 },
  ).lean<BoothRequestDoc>();
}

export interface OwnReport {
  edition: FairEditionDoc;
  request: BoothRequestDoc;
  report: OutcomeReportDoc | null;
  window: ReportWindow;
}

/** The member's side: the edition, its exhibiting request, its report if filed. Non-exhibitors: 404. */
export async function ownReport(actor: Actor, editionId: unknown, now: Date): Promise<OwnReport> {
  assertRole(actor, 'member');
  const edition = await findEdition(editionId);
  const request = await exhibitorRequestOf(actor, edition._id);
  if (!request) throw new NotFoundError();
  const report = await OutcomeReport.findOne({ edition: edition._id, company: request.company }).lean<OutcomeReportDoc>();
  return { edition, request, report, window: reportWindow(edition, now) };
}

/** Files or edits the company's report for the edition (one per company, kept so by a unique index). */
export async function saveReport(deps: Pick<FairDeps, 'clock'>, actor: Actor, editionId: unknown, input: OutcomeInput): Promise<OutcomeReportDoc> {
  const now = deps.clock();
  const { edition, request, window } = await ownReport(actor, editionId, now);
  if (window === 'before') throw new ConflictError('fair:errors.reportTooEarly');
  if (window === 'closed') throw new ConflictError('fair:errors.reportClosed');
  const content = {
    contactsMade: input.contactsMade,
    deals: input.deals,
    dealValue: input.dealValue ?? null,
    wentWell: input.wentWell ?? '',
    toImprove: input.toImprove ?? '',
    consent: input.consent,
    author: new Types.ObjectId(actor.id),
  };
  const filter = { edition: edition._id, company: request.company };
  const upsert = () =>
    OutcomeReport.findOneAndUpdate(
      filter,
      { $set: content, $setOnInsert: { companyName: request.companyName, member: request.member, request: request._id, practice: null, practiceAt: null } },
      { upsert: true, returnDocument: 'after' },
    ).lean<OutcomeReportDoc>();
  let saved: OutcomeReportDoc | null;
  try {
    saved = await upsert();
  } catch (err) {
    // Two first saves at once: one inserted, the other now updates it.
    if (!isDuplicateKeyError(err)) throw err;
    saved = await upsert();
  }
  if (!saved) throw new NotFoundError();
  return saved;
}

/** A report: its company's members and the organizers; anybody else 404. */
export async function getReport(actor: Actor, id: unknown): Promise<OutcomeReportDoc> {
  assertRole(actor, 'member', 'liaison', 'organizer');
  const report = await OutcomeReport.findById(objectIdOr404(id)).lean<OutcomeReportDoc>();
  if (!report) throw new NotFoundError();
  if (actor.role === 'organizer') return report;
  if (actor.role === 'member' && actor.companyId && String(report.company) === actor.companyId) return report;
  throw new NotFoundError();
}

export async function listReports(actor: Actor, editionId: Types.ObjectId): Promise<OutcomeReportDoc[]> {
  assertRole(actor, 'organizer');
  return OutcomeReport.find({ edition: editionId }).sort({ member: 1, companyName: 1 }).lean<OutcomeReportDoc[]>();
}

function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The edition's reports as CSV (UTF-8 with a BOM, so spreadsheets read Chinese), headers in the reader's language. */
export function reportsCsv(rows: OutcomeReportDoc[], lang: Language): string {
  const t = translator(lang);
  const header = ['company', 'member', 'contactsMade', 'deals', 'dealValue', 'wentWell', 'toImprove', 'consent', 'updated'].map((k) => t(`fair:outcome.csv.${k}`));
  const lines = rows.map((r) =>
    [r.companyName, r.member, r.contactsMade, r.deals, r.dealValue, r.wentWell, r.toImprove, t(r.consent ? 'fair:outcome.csv.yes' : 'fair:outcome.csv.no'), r.updatedAt.toISOString()].map(csvCell).join(','),
  );
  return '\uFEFF' + [header.map(csvCell).join(','), ...lines].join('\r\n') + '\r\n';
}

/**
 * Turns a consented report into a business-practice draft owned by the report's author (the SME
 * keeps authorship; it reviews and publishes the draft itself), once: the report is claimed by a
 * conditional update naming the new practice before the draft is written, and released again if
 * writing the draft fails. The author is told by e-mail, with a link to the draft.
 */
export async function turnIntoPractice(deps: FairDeps, actor: Actor, id: unknown): Promise<{ report: OutcomeReportDoc; practiceId: string }> {
  assertRole(actor, 'organizer');
  const report = await getReport(actor, id);
  if (!report.consent) throw new ForbiddenError('fair:errors.noConsent');
  if (report.practice) throw new ConflictError('fair:errors.alreadyPractice');
  const author = await reachablePerson(report.author);
  const edition = await FairEdition.findById(report.edition).lean<FairEditionDoc>();
  if (!edition) throw new NotFoundError();
  const now = deps.clock();
  const practiceId = new Types.ObjectId();
  const claimed = await OutcomeReport.findOneAndUpdate(
    { _id: report._id, practice: null, consent: true },
    { $set: { practice: practiceId, practiceAt: now } },
    { returnDocument: 'after' },
  ).lean<OutcomeReportDoc>();
  if (!claimed) throw new ConflictError('fair:errors.alreadyPractice');
  const lang: Language = author?.language ?? 'en';
  const t = translator(lang);
  const params = { company: report.companyName, edition: localized(edition.name, lang) };
  const body = [
    `## ${t('fair:outcome.practice.wentWell')}`,
    '',
    report.wentWell || '—',
    '',
    `## ${t('fair:outcome.practice.toImprove')}`,
    '',
    report.toImprove || '—',
  ].join('\n');
  const results = t('fair:outcome.practice.results', { contacts: report.contactsMade, deals: report.deals });
  try {
    await createPracticeDraftFor(actor, {
      id: String(practiceId),
      author: String(report.author),
      company: String(report.company),
      member: report.member,
      organisation: report.companyName,
      language: lang === 'zh-CN' ? 'zh' : 'en',
      title: t('fair:outcome.practice.title', params),
      summary: t('fair:outcome.practice.summary', params),
      body,
      results,
      themes: ['trade'],
    });
  } catch (err) {
    await OutcomeReport.updateOne({ _id: report._id, practice: practiceId }, { $set: { practice: null, practiceAt: null } });
    throw err;
  }
  await recordAudit({ actor, action: 'fair.outcome.practiceDraft', targetType: 'OutcomeReport', targetId: String(report._id), after: { practice: String(practiceId) }, at: now });
  if (author) {
    await deps.mailer.notify(
      { email: author.email, name: author.name, language: author.language },
      {
        subject: { key: 'fair:mail.practiceDraft.subject', params },
        lines: [{ key: 'fair:mail.practiceDraft.body', params }],
        action: { label: { key: 'fair:mail.practiceDraft.action' }, url: `${deps.baseUrl}/practices/${String(practiceId)}/edit` },
      },
    );
  }
  return { report: claimed, practiceId: String(practiceId) };
}

// ---------------------------------------------------------------------------------------------
// The desk and the figures

export interface DueReport {
  edition: FairEditionDoc;
  since: Date;
  due: Date;
}

/** The editions whose report the member's company may file now and has not filed. */
export async function reportsDue(actor: Actor, now: Date): Promise<DueReport[]> {
  if (actor.role !== 'member' || !actor.companyId || !Types.ObjectId.isValid(actor.companyId)) return [];
  const company = new Types.ObjectId(actor.companyId);
  const editionIds = await BoothRequest.distinct('edition', { company, status: trusted({ $in: [...EXHIBITOR_STATUSES] }) });
  if (!editionIds.length) return [];
  // Editions over (ended before now - 1 day) but not past the report window.
  const editions = await FairEdition.find({
    _id: trusted({ $in: editionIds }),
    endsOn: trusted({ $lt: new Date(now.getTime() - DAY), $gte: new Date(now.getTime() - DAY - REPORT_DAYS * DAY) }),
  }).lean<FairEditionDoc[]>();
  if (!editions.length) return [];
  const filed = new Set((await OutcomeReport.find({ company, edition: trusted({ $in: editions.map((e) => e._id) }) }, { edition: 1 }).lean()).map((r) => String(r.edition)));
  return editions
    .filter((e) => !filed.has(String(e._id)) && reportWindow(e, now) === 'open')
    .map((e) => ({ edition: e, since: fairOverAt(e), due: reportsCloseAt(e) }))
    .sort((a, b) => a.since.getTime() - b.since.getTime());
}

export interface OutcomeFigureRow {
  member: string;
  reports: number;
  contacts: number;
  deals: number;
}

/** Reports filed, contacts made and deals per ASEM member (optionally one edition; suspended authors left out). */
export async function outcomesPerMember(opts: { edition?: string | null; excludeAuthors?: Types.ObjectId[] } = {}): Promise<OutcomeFigureRow[]> {
  const filter: Record<string, unknown> = {};
  if (opts.edition && Types.ObjectId.isValid(opts.edition)) filter.edition = new Types.ObjectId(opts.edition);
  if (opts.excludeAuthors?.length) filter.author = trusted({ $nin: opts.excludeAuthors });
  // Summed in the database: one row per ASEM member comes back (the edition's index answers the $match).
  const rows = await OutcomeReport.aggregate<{ _id: string; reports: number; contacts: number; deals: number }>([
    { $match: filter },
    { $group: { _id: '$member', reports: { $sum: 1 }, contacts: { $sum: '$contactsMade' }, deals: { $sum: '$deals' } } },
  ]);
  return rows.map((r) => ({ member: r._id, reports: r.reports, contacts: r.contacts, deals: r.deals })).sort((a, b) => a.member.localeCompare(b.member));
}
