/**
 * Fair editions and the hall's booths: organizer-only writes, the current edition for everyone,
 * and the start-up seed that gives a fresh portal a hall to try the whole booth story in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { assertRole } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError, isDuplicateKeyError, type FieldErrors } from '../../kernel';
import { fields, parseOrThrow } from '../../web/forms';
import { recordAudit } from '../audit';
import { isAsemMemberCode } from '../members';
import {
  BOOTH_FEATURES,
  Booth,
  BoothAssignment,
  EDITION_STATUSES,
  FairEdition,
  QuotaCounter,
  type BoothDoc,
  type BoothFeature,
  type FairEditionDoc,
  type QuotaOverride,
} from './model';

export const VISIBLE_STATUSES = ['open', 'closed', 'allocated'] as const;

/** The edition shown on /fair: the latest one that is open, closed or allocated. */
export async function currentEdition(): Promise<FairEditionDoc | null> {
  return FairEdition.findOne({ status: trusted({ $in: [...VISIBLE_STATUSES] }) })
    .sort({ year: -1, startsOn: -1 })
    .lean<FairEditionDoc>();
}

export async function findEdition(id: unknown): Promise<FairEditionDoc> {
  if (typeof id !== 'string' || !Types.ObjectId.isValid(id)) throw new NotFoundError();
  const edition = await FairEdition.findById(id).lean<FairEditionDoc>();
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

export async function createEdition(actor: Actor, raw: unknown, now: Date): Promise<FairEditionDoc> {
  assertRole(actor, 'organizer');
  const input = parseOrThrow(EditionForm, raw);
  const data = await editionFields(input);
  const _id = new Types.ObjectId();
  const created = await FairEdition.create({ _id, code: `edition-${input.year}-${String(_id)}`, ...data });
  await recordAudit({ actor, action: 'fair.edition.create', targetType: 'FairEdition', targetId: String(_id), after: data, at: now });
  return created.toObject() as FairEditionDoc;
}

export async function updateEdition(actor: Actor, id: string, raw: unknown, now: Date): Promise<FairEditionDoc> {
  assertRole(actor, 'organizer');
  const before = await findEdition(id);
  const input = parseOrThrow(EditionForm, raw);
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
  await recordAudit({ actor, action: 'fair.edition.update', targetType: 'FairEdition', targetId: id, before: editionFormValues(before), after: editionFormValues(updated), at: now });
  return updated;
}

export async function publishAllocation(actor: Actor, id: string, now: Date): Promise<FairEditionDoc> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(id);
  if (edition.status === 'draft' || edition.status === 'archived') throw new ConflictError('fair:errors.cannotPublish');
  const updated = await FairEdition.findOneAndUpdate({ _id: edition._id }, { $set: { status: 'allocated', allocationPublishedAt: now } }, { returnDocument: 'after' }).lean<FairEditionDoc>();
  await recordAudit({ actor, action: 'fair.allocation.publish', targetType: 'FairEdition', targetId: id, at: now });
  return updated!;
}

// ---------------------------------------------------------------------------------------------
// Booths

export type BoothShape = Pick<BoothDoc, 'code' | 'x' | 'y' | 'width' | 'depth' | 'features'>;

export const MAX_HALL = 200;

const featureList = fields.list(z.enum(BOOTH_FEATURES));

export const BoothForm = z.object({
  code: z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{1,10}$/, 'fair:errors.boothCode'),
  x: fields.int(0, MAX_HALL),
  y: fields.int(0, MAX_HALL),
  width: fields.int(1, 30),
  depth: fields.int(1, 30),
  features: featureList,
});

export const RowForm = z.object({
  prefix: z.string().trim().toUpperCase().regex(/^[A-Z]{1,3}$/, 'fair:errors.rowPrefix'),
  firstNumber: fields.int(1, 999),
  count: fields.int(1, 50),
  x: fields.int(0, MAX_HALL),
  y: fields.int(0, MAX_HALL),
  width: fields.int(1, 30),
  depth: fields.int(1, 30),
  direction: z.enum(['horizontal', 'vertical']),
  features: featureList,
  cornerEnds: fields.checkbox(),
});

export function overlaps(a: Pick<BoothShape, 'x' | 'y' | 'width' | 'depth'>, b: Pick<BoothShape, 'x' | 'y' | 'width' | 'depth'>): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.depth && b.y < a.y + a.depth;
}

export async function listBooths(editionId: Types.ObjectId | string): Promise<BoothDoc[]> {
  const booths = await Booth.find({ edition: editionId }).lean<BoothDoc[]>();
  return booths.sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
}

/**
 * Checks new or moved booths against the plan: codes unique, no overlaps, inside the hall grid.
 * Returns a message key and params for the first problem, or null.
 */
function planProblem(existing: BoothDoc[], incoming: BoothShape[], ignoreId?: string): { key: string; params: Record<string, string> } | null {
  const others = existing.filter((b) => String(b._id) !== ignoreId);
  const seen = new Set<string>();
  for (const [i, b] of incoming.entries()) {
    if (b.x + b.width > MAX_HALL || b.y + b.depth > MAX_HALL) return { key: 'fair:errors.outsideHall', params: { code: b.code } };
    if (seen.has(b.code) || others.some((o) => o.code === b.code)) return { key: 'fair:errors.duplicateCode', params: { code: b.code } };
    seen.add(b.code);
    const hit = others.find((o) => overlaps(o, b)) ?? incoming.slice(0, i).find((o) => overlaps(o, b));
    if (hit) return { key: 'fair:errors.overlap', params: { code: b.code, other: hit.code } };
  }
  return null;
}

/** Inserts booths all or nothing: a duplicate code raced in by another tab undoes the batch. */
async function insertBooths(editionId: Types.ObjectId, shapes: BoothShape[]): Promise<void> {
  const docs = shapes.map((s) => ({ _id: new Types.ObjectId(), edition: editionId, ...s }));
  try {
    await Booth.insertMany(docs, { ordered: true });
  } catch (err) {
    await Booth.deleteMany({ _id: trusted({ $in: docs.map((d) => d._id) }) });
    if (isDuplicateKeyError(err)) throw new ValidationError({ _form: { key: 'fair:errors.duplicateCode', params: { code: '' } } });
    throw err;
  }
}

export async function addBoothRow(actor: Actor, editionId: string, raw: unknown, now: Date): Promise<number> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
  const input = parseOrThrow(RowForm, raw);
  const shapes: BoothShape[] = [];
  for (let i = 0; i < input.count; i++) {
    const features = new Set<BoothFeature>(input.features);
    if (input.cornerEnds && (i === 0 || i === input.count - 1)) features.add('corner');
    shapes.push({
      code: `${input.prefix}${String(input.firstNumber + i).padStart(2, '0')}`,
      x: input.direction === 'horizontal' ? input.x + i * input.width : input.x,
      y: input.direction === 'vertical' ? input.y + i * input.depth : input.y,
      width: input.width,
      depth: input.depth,
      features: [...features],
    });
  }
  const problem = planProblem(await listBooths(edition._id), shapes);
  if (problem) throw new ValidationError({ _form: problem });
  await insertBooths(edition._id, shapes);
  await recordAudit({ actor, action: 'fair.booths.addRow', targetType: 'FairEdition', targetId: editionId, after: shapes.map((s) => s.code), at: now });
  return shapes.length;
}

export async function findBooth(editionId: Types.ObjectId, boothId: unknown): Promise<BoothDoc> {
  if (typeof boothId !== 'string' || !Types.ObjectId.isValid(boothId)) throw new NotFoundError();
  const booth = await Booth.findOne({ _id: boothId, edition: editionId }).lean<BoothDoc>();
  if (!booth) throw new NotFoundError();
  return booth;
}

export async function updateBooth(actor: Actor, editionId: string, boothId: string, raw: unknown, now: Date): Promise<void> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
  const booth = await findBooth(edition._id, boothId);
  const input = parseOrThrow(BoothForm, raw);
  const problem = planProblem(await listBooths(edition._id), [input], String(booth._id));
  if (problem) throw new ValidationError({ _form: problem });
  try {
    await Booth.updateOne({ _id: booth._id }, { $set: input });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ValidationError({ code: { key: 'fair:errors.duplicateCode', params: { code: input.code } } });
    throw err;
  }
  await recordAudit({ actor, action: 'fair.booth.update', targetType: 'Booth', targetId: boothId, before: booth, after: input, at: now });
}

export async function deleteBooth(actor: Actor, editionId: string, boothId: string, now: Date): Promise<void> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
  const booth = await findBooth(edition._id, boothId);
  if (await BoothAssignment.exists({ edition: edition._id, booth: booth._id })) throw new ConflictError('fair:errors.boothInUse', { code: booth.code });
  await Booth.deleteOne({ _id: booth._id });
  await recordAudit({ actor, action: 'fair.booth.delete', targetType: 'Booth', targetId: boothId, before: booth, at: now });
}

/**
 * A CSV of booths: header `code,x,y,width,depth,features` (features separated by `|` or spaces).
 * All rows are checked before any is stored; one bad row stores nothing.
 */
export function parseBoothCsv(text: string): BoothShape[] | { key: string; params: Record<string, string | number> } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return { key: 'fair:errors.csvEmpty', params: {} };
  const header = lines[0]!.toLowerCase().split(',').map((h) => h.trim());
  const expected = ['code', 'x', 'y', 'width', 'depth'];
  if (!expected.every((h, i) => header[i] === h)) return { key: 'fair:errors.csvHeader', params: {} };
  if (lines.length > 501) return { key: 'fair:errors.csvTooMany', params: { max: 500 } };
  const out: BoothShape[] = [];
  for (const [i, line] of lines.slice(1).entries()) {
    const cells = line.split(',').map((c) => c.trim());
    const parsed = BoothForm.safeParse({
      code: cells[0],
      x: cells[1],
      y: cells[2],
      width: cells[3],
      depth: cells[4],
      features: (cells[5] ?? '').toLowerCase().split(/[|\s]+/).filter(Boolean),
    });
    if (!parsed.success) return { key: 'fair:errors.csvRow', params: { line: i + 2 } };
    out.push(parsed.data);
  }
  return out;
}

export async function importBoothCsv(actor: Actor, editionId: string, text: string, now: Date): Promise<number> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
  if (typeof text !== 'string' || text.length > 100_000) throw new ValidationError({ csv: { key: 'fair:errors.csvEmpty' } });
  const parsed = parseBoothCsv(text);
  if (!Array.isArray(parsed)) throw new ValidationError({ csv: parsed });
  const problem = planProblem(await listBooths(edition._id), parsed);
  if (problem) throw new ValidationError({ csv: problem });
  await insertBooths(edition._id, parsed);
  await recordAudit({ actor, action: 'fair.booths.import', targetType: 'FairEdition', targetId: editionId, after: parsed.map((s) => s.code), at: now });
  return parsed.length;
}

// ---------------------------------------------------------------------------------------------
// Start-up seed

/** The standard hall: six rows of ten 3 m × 3 m booths, back to back in pairs, aisles between. */
export function standardHall(): BoothShape[] {
  const rows = ['A', 'B', 'C', 'D', 'E', 'F'];
  const rowY = [2, 5, 11, 14, 20, 23];
  const shapes: BoothShape[] = [];
  rows.forEach((prefix, r) => {
    for (let i = 0; i < 10; i++) {
      const features: BoothFeature[] = [];
      if (i === 0 || i === 9) features.push('corner');
      if (i % 3 === 0) features.push('power');
      if ((r === 1 || r === 4) && (i === 4 || i === 5)) features.push('water');
      shapes.push({ code: `${prefix}${String(i + 1).padStart(2, '0')}`, x: 2 + i * 3, y: rowY[r]!, width: 3, depth: 3, features });
    }
  });
  return shapes;
}

type Bilingual = { en: string; 'zh-CN': string };
/** Names and notes of the first edition: data in both languages, kept with the other seed lists. */
const FIRST_EDITION = JSON.parse(readFileSync(path.resolve(__dirname, '../../../seed/fair-edition.json'), 'utf8')) as {
  name: Bilingual;
  city: Bilingual;
  venue: Bilingual;
  hallName: Bilingual;
  notes: Bilingual;
  defaultQuota: number;
};

/**
 * On an empty database: the coming CISMEF edition (this year's, or next year's once this year's
 * September is too close), its request window open from now, and the standard hall. Idempotent.
 */
export async function seedFirstEdition(now: Date): Promise<FairEditionDoc | null> {
  if ((await FairEdition.estimatedDocumentCount()) > 0) return null;
  const thisYear = now.getUTCFullYear();
  const year = now < new Date(Date.UTC(thisYear, 7, 1)) ? thisYear : thisYear + 1;
  const code = `cismef-${year}`;
  const startsOn = new Date(Date.UTC(year, 8, 15));
  const endsOn = new Date(Date.UTC(year, 8, 18));
  const opens = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const closes = new Date(Date.UTC(year, 7, 15, 23, 59));
  const withYear = (text: string) => text.replace('{year}', String(year));
  const res = await FairEdition.updateOne(
    { code },
    {
      $setOnInsert: {
        code,
        name: { en: withYear(FIRST_EDITION.name.en), 'zh-CN': withYear(FIRST_EDITION.name['zh-CN']) },
        year,
        startsOn,
        endsOn,
        city: FIRST_EDITION.city,
        venue: FIRST_EDITION.venue,
        hallName: FIRST_EDITION.hallName,
        requestOpensAt: opens,
        requestClosesAt: closes,
        status: 'open',
        defaultQuota: FIRST_EDITION.defaultQuota,
        quotaOverrides: [],
        notes: FIRST_EDITION.notes,
        allocationPublishedAt: null,
      },
    },
    { upsert: true },
  );
  const edition = await FairEdition.findOne({ code }).lean<FairEditionDoc>();
  if (!edition) return null;
  if (res.upsertedCount) {
    const existing = new Set((await Booth.find({ edition: edition._id }, { code: 1 }).lean()).map((b) => b.code));
    const missing = standardHall().filter((s) => !existing.has(s.code));
    if (missing.length) await Booth.insertMany(missing.map((s) => ({ edition: edition._id, ...s })), { ordered: false }).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
  }
  return edition;
}
