/**
 * The hall's booths: the organizer lays out rows, moves and deletes booths, imports a CSV. Every
 * change is checked against the plan (codes unique, no overlaps, inside the hall) before it is stored.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { assertRole, objectIdOr404 } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError, isDuplicateKeyError } from '../../kernel';
import { fields } from '../../web/forms';
import { recordAudit } from '../audit';
import type { FairDeps } from './deps';
import { findEdition } from './editions';
import { BOOTH_FEATURES, Booth, BoothAssignment, type BoothDoc, type BoothFeature } from './model';

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

export type RowInput = z.infer<typeof RowForm>;
export type BoothInput = z.infer<typeof BoothForm>;

export async function addBoothRow(deps: Pick<FairDeps, 'clock'>, actor: Actor, editionId: string, input: RowInput): Promise<number> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
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
  await recordAudit({ actor, action: 'fair.booths.addRow', targetType: 'FairEdition', targetId: editionId, after: shapes.map((s) => s.code), at: deps.clock() });
  return shapes.length;
}

export async function findBooth(editionId: Types.ObjectId, boothId: unknown): Promise<BoothDoc> {
  const booth = await Booth.findOne({ _id: objectIdOr404(boothId), edition: editionId }).lean<BoothDoc>();
  if (!booth) throw new NotFoundError();
  return booth;
}

export async function updateBooth(deps: Pick<FairDeps, 'clock'>, actor: Actor, editionId: string, boothId: string, input: BoothInput): Promise<void> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
  const booth = await findBooth(edition._id, boothId);
  const problem = planProblem(await listBooths(edition._id), [input], String(booth._id));
  if (problem) throw new ValidationError({ _form: problem });
  try {
    await Booth.updateOne({ _id: booth._id }, { $set: input });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ValidationError({ code: { key: 'fair:errors.duplicateCode', params: { code: input.code } } });
    throw err;
  }
  await recordAudit({ actor, action: 'fair.booth.update', targetType: 'Booth', targetId: boothId, before: booth, after: input, at: deps.clock() });
}

export async function deleteBooth(deps: Pick<FairDeps, 'clock'>, actor: Actor, editionId: string, boothId: string): Promise<void> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
  const booth = await findBooth(edition._id, boothId);
  if (await BoothAssignment.exists({ edition: edition._id, booth: booth._id })) throw new ConflictError('fair:errors.boothInUse', { code: booth.code });
  await Booth.deleteOne({ _id: booth._id });
  await recordAudit({ actor, action: 'fair.booth.delete', targetType: 'Booth', targetId: boothId, before: booth, at: deps.clock() });
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

export const ImportForm = z.object({ csv: z.string().max(100_000, 'fair:errors.csvTooLong').default('') });

export async function importBoothCsv(deps: Pick<FairDeps, 'clock'>, actor: Actor, editionId: string, text: string): Promise<number> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
  const parsed = parseBoothCsv(text);
  if (!Array.isArray(parsed)) throw new ValidationError({ csv: parsed });
  const problem = planProblem(await listBooths(edition._id), parsed);
  if (problem) throw new ValidationError({ csv: problem });
  await insertBooths(edition._id, parsed);
  await recordAudit({ actor, action: 'fair.booths.import', targetType: 'FairEdition', targetId: editionId, after: parsed.map((s) => s.code), at: deps.clock() });
  return parsed.length;
}

