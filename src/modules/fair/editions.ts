/**
 * Fair editions: the current edition for everyone, the organizer's edition form, publishing the
 * allocation and closing requests (two separate decisions).
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { assertRole, objectIdOr404 } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../kernel';
import { fields } from '../../web/forms';
import { recordAudit } from '../audit';
import { isAsemMemberCode } from '../members';
import type { FairDeps } from './deps';
import { VersionedCache } from '../../web/cache-versions';
import { EDITION_STATUSES, EDITIONS_STAMP, FairEdition, QuotaCounter, type FairEditionDoc, type QuotaOverride } from './model';

export const VISIBLE_STATUSES = ['open', 'closed', 'allocated'] as const;

/** The edition shown on /fair: the latest one that is open, closed or allocated. */
export async function currentEdition(): Promise<FairEditionDoc | null> {
  return FairEdition.findOne({ status: trusted({ $in: [...VISIBLE_STATUSES] }) })
    .sort({ year: -1, startsOn: -1 })
    .lean<FairEditionDoc>();
}

/**
 * The same edition for pages that only show it (/fair, the home page), kept in the process until an
 * edition is written (here or on another instance: see src/web/cache-versions.ts). Decisions that
 * write (may a member ask a booth now?) read the database: currentEdition.
 */
const shownEditionCache = new VersionedCache<FairEditionDoc | null>([EDITIONS_STAMP], 1);

export async function shownEdition(): Promise<FairEditionDoc | null> {
  const edition = await shownEditionCache.get('current', currentEdition);
  return edition ? { ...edition } : null;
}

export async function findEdition(id: unknown): Promise<FairEditionDoc> {
  const edition = await FairEdition.findById(id instanceof Types.ObjectId ? id : objectIdOr404(id)).lean<FairEditionDoc>();
  if (!edition) throw new NotFoundError();
  return edition;
}

export async function listEditions(): Promise<FairEditionDoc[]> {
  return FairEdition.find().sort({ year: -1, startsOn: -1 }).lean<FairEditionDoc[]>();
}

export function quotaFor(edition: Pick<FairEditionDoc, 'defaultQuota' | 'quotaOverrides'>, member: string): number {
  const override = edition.quotaOverrides.find((o) => o.member === member);
  return override ? override.quota : edition.defaultQuota;
}

export function requestWindowOpen(edition: Pick<FairEditionDoc, 'status' | 'requestOpensAt' | 'requestClosesAt'>, now: Date): boolean {
  return edition.status === 'open' && edition.requestOpensAt <= now && now <= edition.requestClosesAt;
}

// ---------------------------------------------------------------------------------------------
// Edition form

const dateOnly = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'validation:date');
const dateTime = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'validation:date');

export const EditionForm = z.object({
  nameEn: fields.text(200),
  nameZh: fields.text(200),
  year: fields.int(2000, 2100),
  startsOn: dateOnly,
  endsOn: dateOnly,
  cityEn: fields.text(100),
  cityZh: fields.text(100),
  venueEn: fields.text(200),
  venueZh: fields.text(200),
  hallEn: fields.text(200),
  hallZh: fields.text(200),
  requestOpensAt: dateTime,
  requestClosesAt: dateTime,
  status: z.enum(EDITION_STATUSES),
  defaultQuota: fields.int(0, 500),
  quotaOverrides: fields.optionalText(4000),
  notesEn: fields.optionalText(4000),
  notesZh: fields.optionalText(4000),
});
export type EditionInput = z.infer<typeof EditionForm>;

/** The new-edition form: the edition, and the edition whose hall it starts from (a checkbox, on by default). */
export const NewEditionForm = EditionForm.extend({
  copyFrom: z.preprocess((v) => (v === '' ? undefined : v), fields.objectId().optional()),
});
export type NewEditionInput = z.infer<typeof NewEditionForm>;

function utcDate(value: string): Date {
  return new Date(value.length === 10 ? `${value}T00:00:00.000Z` : `${value.length === 16 ? `${value}:00` : value}.000Z`);
}

/** "CN=5, DE=2" or one per line → overrides, with a message key for the first bad entry. */
async function parseOverrides(text: string | undefined): Promise<QuotaOverride[] | string> {
  const out: QuotaOverride[] = [];
  for (const part of (text ?? '').split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean)) {
    const m = part.match(/^([A-Za-z0-9-]{2,12})\s*[=:]\s*(\d{1,3})$/);
    if (!m) return 'fair:errors.overrideFormat';
    const member = m[1]!.toUpperCase();
    if (!(await isAsemMemberCode(member))) return 'fair:errors.overrideMember';
    if (out.some((o) => o.member === member)) return 'fair:errors.overrideDuplicate';
    out.push({ member, quota: Number(m[2]) });
  }
  return out;
}

async function editionFields(input: EditionInput) {
  const errors: FieldErrors = {};
  const startsOn = utcDate(input.startsOn);
  const endsOn = utcDate(input.endsOn);
  const opens = utcDate(input.requestOpensAt);
  const closes = utcDate(input.requestClosesAt);
  if (Number.isNaN(startsOn.getTime())) errors.startsOn = { key: 'validation:date' };
  if (Number.isNaN(endsOn.getTime())) errors.endsOn = { key: 'validation:date' };
  if (Number.isNaN(opens.getTime())) errors.requestOpensAt = { key: 'validation:date' };
  if (Number.isNaN(closes.getTime())) errors.requestClosesAt = { key: 'validation:date' };
  if (!errors.startsOn && !errors.endsOn && endsOn < startsOn) errors.endsOn = { key: 'fair:errors.endsBeforeStart' };
  if (!errors.startsOn && !errors.endsOn && startsOn.getUTCFullYear() !== input.year) errors.startsOn = { key: 'fair:errors.yearMismatch' };
  if (!errors.requestOpensAt && !errors.requestClosesAt && closes <= opens) errors.requestClosesAt = { key: 'fair:errors.closesBeforeOpens' };
  if (!errors.requestClosesAt && !errors.endsOn && closes > endsOn) errors.requestClosesAt = { key: 'fair:errors.closesAfterFair' };
  const overrides = await parseOverrides(input.quotaOverrides);
  if (typeof overrides === 'string') errors.quotaOverrides = { key: overrides };
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return {
    name: { en: input.nameEn, 'zh-CN': input.nameZh },
    year: input.year,
    startsOn,
    endsOn,
    city: { en: input.cityEn, 'zh-CN': input.cityZh },
    venue: { en: input.venueEn, 'zh-CN': input.venueZh },
    hallName: { en: input.hallEn, 'zh-CN': input.hallZh },
    requestOpensAt: opens,
    requestClosesAt: closes,
    status: input.status,
    defaultQuota: input.defaultQuota,
    quotaOverrides: overrides as QuotaOverride[],
    notes: { en: input.notesEn ?? '', 'zh-CN': input.notesZh ?? '' },
  };
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
function isoDateTime(d: Date): string {
  return d.toISOString().slice(0, 16);
}

/** The form's values for an edition (dates as the inputs expect them, UTC). */
export function editionFormValues(e: FairEditionDoc): Record<string, string | number> {
  return {
    nameEn: e.name.en,
    nameZh: e.name['zh-CN'],
    year: e.year,
    startsOn: isoDate(e.startsOn),
    endsOn: isoDate(e.endsOn),
    cityEn: e.city.en,
    cityZh: e.city['zh-CN'],
    venueEn: e.venue.en,
    venueZh: e.venue['zh-CN'],
    hallEn: e.hallName.en,
    hallZh: e.hallName['zh-CN'],
    requestOpensAt: isoDateTime(e.requestOpensAt),
    requestClosesAt: isoDateTime(e.requestClosesAt),
    status: e.status,
    defaultQuota: e.defaultQuota,
    quotaOverrides: e.quotaOverrides.map((o) => `${o.member}=${o.quota}`).join('\n'),
    notesEn: e.notes.en,
    notesZh: e.notes['zh-CN'],
  };
}

export async function createEdition(deps: Pick<FairDeps, 'clock'>, actor: Actor, input: EditionInput, copiedFrom: Types.ObjectId | null = null): Promise<FairEditionDoc> {
  assertRole(actor, 'organizer');
  const data = await editionFields(input);
  const _id = new Types.ObjectId();
  const created = await FairEdition.create({ _id, code: `edition-${input.year}-${String(_id)}`, ...data, copiedFrom });
  await recordAudit({ actor, action: 'fair.edition.create', targetType: 'FairEdition', targetId: String(_id), after: data, at: deps.clock() });
  return created.toObject() as FairEditionDoc;
}

export async function updateEdition(deps: Pick<FairDeps, 'clock'>, actor: Actor, id: string, input: EditionInput): Promise<FairEditionDoc> {
  assertRole(actor, 'organizer');
  const before = await findEdition(id);
  const data = await editionFields(input);
  const updated = await FairEdition.findOneAndUpdate({ _id: before._id }, { $set: data }, { returnDocument: 'after' }).lean<FairEditionDoc>();
  if (!updated) throw new NotFoundError();
  // Quota counters follow the edition's quotas; a lowered quota stops new allocations but never
  // takes back booths already given.
  const counters = await QuotaCounter.find({ edition: updated._id }).lean();
  for (const c of counters) {
    const q = quotaFor(updated, c.member);
    if (q !== c.quota) await QuotaCounter.updateOne({ _id: c._id }, { $set: { quota: q } });
  }
  await recordAudit({ actor, action: 'fair.edition.update', targetType: 'FairEdition', targetId: id, before: editionFormValues(before), after: editionFormValues(updated), at: deps.clock() });
  return updated;
}

/**
 * Shows the companies' names on the public plan. It decides nothing about requests: members may
 * still ask for a booth while the window is open (closing requests is closeRequests).
 */
export async function publishAllocation(deps: Pick<FairDeps, 'clock'>, actor: Actor, id: string): Promise<FairEditionDoc> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(id);
  if (edition.status === 'draft' || edition.status === 'archived') throw new ConflictError('fair:errors.cannotPublish');
  const now = deps.clock();
  const updated = await FairEdition.findOneAndUpdate({ _id: edition._id }, { $set: { allocationPublishedAt: now } }, { returnDocument: 'after' }).lean<FairEditionDoc>();
  if (!updated) throw new NotFoundError();
  await recordAudit({ actor, action: 'fair.allocation.publish', targetType: 'FairEdition', targetId: id, at: now });
  return updated;
}

/** Stops new booth requests for the edition (its status becomes "closed"); requests already made go on. */
export async function closeRequests(deps: Pick<FairDeps, 'clock'>, actor: Actor, id: string): Promise<FairEditionDoc> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(id);
  if (edition.status !== 'open') throw new ConflictError('fair:errors.cannotClose');
  const now = deps.clock();
  const updated = await FairEdition.findOneAndUpdate({ _id: edition._id, status: 'open' }, { $set: { status: 'closed' } }, { returnDocument: 'after' }).lean<FairEditionDoc>();
  if (!updated) throw new ConflictError('fair:errors.cannotClose');
  await recordAudit({ actor, action: 'fair.requests.close', targetType: 'FairEdition', targetId: id, before: { status: edition.status }, after: { status: 'closed' }, at: now });
  return updated;
}
