/**
 * Booth requests: creation, the workflow's transitions, and the allocation of booths.
 *
 * Allocation never trusts a read: (1) the member's quota counter is moved with a conditional $inc
 * that only matches while there is room, (2) each booth is claimed by inserting into
 * booth_assignments, whose unique (edition, booth) index refuses a second holder, (3) the request
 * moves to "approved" with a condition on its current state. A failure at any step undoes the
 * earlier ones, so concurrent clicks can neither double-book a booth nor exceed a quota.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { assertRole } from '../../kernel';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, isDuplicateKeyError, type FieldErrors } from '../../kernel';
import { fields, parseForm, parseOrThrow } from '../../web/forms';
import type { Mailer } from '../../web/mail';
import type { FileStore } from '../../web/files';
import { persistUploads, removeStored, removeStoredFiles, type StoredFileRef, type UploadedFile } from '../../web/uploads';
import { recordAudit } from '../audit';
import { emailAddresses, ownCompany } from '../accounts';
import { findEdition, quotaFor, requestWindowOpen } from './editions';
import {
  ACTIVE_STATUSES,
  Booth,
  BoothAssignment,
  BoothRequest,
  FairEdition,
  QuotaCounter,
  REQUEST_STATUSES,
  type AssignedBooth,
  type BoothDoc,
  type BoothRequestDoc,
  type FairEditionDoc,
  type QuotaCounterDoc,
  type RequestStatus,
  type TimelineEntry,
} from './model';
import { notifyStep } from './notify';
import { TRANSITIONS, planTransition, type RequestAction } from './workflow';

export interface FairDeps {
  mailer: Mailer;
  baseUrl: string;
  /** Where uploaded brochures are stored (ctx.files). */
  files?: FileStore;
}

function uploadCtx(deps: FairDeps) {
  if (!deps.files) throw new Error('a file store is needed to store a brochure');
  return { files: deps.files };
}

export const RequestForm = z.object({
  contactName: fields.text(120),
  phone: z.string().trim().min(1).max(40).regex(/^\+?[0-9 ()./-]{5,40}$/, 'fair:errors.phone'),
  products: fields.text(2000),
  boothCount: fields.int(1, 50),
  wishedCodes: fields.optionalText(200),
  specialNeeds: fields.optionalText(2000),
  intent: z.enum(['draft', 'submit']).default('submit'),
});
export type RequestInput = z.infer<typeof RequestForm>;

export const NoteForm = z.object({ note: fields.optionalText(2000) });
export const ApproveForm = z.object({ booths: fields.list(fields.objectId()).pipe(z.array(z.string()).min(1, 'fair:errors.pickBooths')), note: fields.optionalText(2000) });

function isActive(status: RequestStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

function entry(action: string, from: RequestStatus | null, to: RequestStatus, actor: Actor | null, now: Date, note = '', booths: string[] = []): TimelineEntry {
  return {
    at: now,
    action,
    from,
    to,
    actor: actor ? new Types.ObjectId(actor.id) : null,
    actorName: actor?.name ?? '',
    actorRole: actor?.role ?? 'system',
    note,
    booths,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A request the actor may see: its member (company), the liaisons of its ASEM member, organizers. Anyone else: 404. */
export function canSee(actor: Actor, request: Pick<BoothRequestDoc, 'requester' | 'company' | 'member' | 'status'>): boolean {
  if (actor.role === 'organizer') return true;
  if (actor.role === 'liaison') return actor.member !== null && actor.member === request.member && request.status !== 'draft';
  return String(request.requester) === actor.id || (actor.companyId !== null && String(request.company) === actor.companyId);
}

export async function getRequest(actor: Actor, id: unknown): Promise<BoothRequestDoc> {
  assertRole(actor, 'member', 'liaison', 'organizer');
  if (typeof id !== 'string' || !Types.ObjectId.isValid(id)) throw new NotFoundError();
  const request = await BoothRequest.findById(id).lean<BoothRequestDoc>();
  if (!request || !canSee(actor, request)) throw new NotFoundError();
  return request;
}

export async function listOwnRequests(actor: Actor): Promise<BoothRequestDoc[]> {
  assertRole(actor, 'member');
  const or: Record<string, unknown>[] = [{ requester: new Types.ObjectId(actor.id) }];
  if (actor.companyId) or.push({ company: new Types.ObjectId(actor.companyId) });
  return BoothRequest.find({ $or: or }, { timeline: 0 }).sort({ createdAt: -1 }).limit(100).lean<BoothRequestDoc[]>();
}

/** The company's active request for the edition, if any (one at a time). */
export async function activeRequestOf(companyId: string | null, editionId: Types.ObjectId): Promise<BoothRequestDoc | null> {
  if (!companyId) return null;
  return BoothRequest.findOne({ edition: editionId, company: new Types.ObjectId(companyId), active: true }, { timeline: 0 }).lean<BoothRequestDoc>();
}

export interface RequestFilter {
  status?: RequestStatus;
  member?: string;
  /** Only requests waiting at least this many days since they were submitted. */
  olderThanDays?: number;
}

export const ListFilterForm = z.object({
  status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(REQUEST_STATUSES).optional()).catch(undefined),
  member: z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toUpperCase() : undefined), z.string().regex(/^[A-Z0-9-]{2,12}$/).optional()).catch(undefined),
  age: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['3', '7', '14', '30']).optional()).catch(undefined),
});

export async function listRequests(editionId: Types.ObjectId, filter: RequestFilter, now: Date, sort: Record<string, 1 | -1> = { submittedAt: 1, createdAt: 1 }): Promise<BoothRequestDoc[]> {
  const query: Record<string, unknown> = { edition: editionId };
  if (filter.status) query.status = filter.status;
  else query.status = trusted({ $ne: 'draft' });
  if (filter.member) query.member = filter.member;
  if (filter.olderThanDays) query.submittedAt = trusted({ $lte: new Date(now.getTime() - filter.olderThanDays * 86_400_000) });
  return BoothRequest.find(query, { timeline: 0 }).sort(sort).limit(1000).lean<BoothRequestDoc[]>();
}

/** The liaison's queue: its member's requests (drafts stay private to the company). */
export async function liaisonQueue(actor: Actor, editionId: Types.ObjectId, filter: Omit<RequestFilter, 'member'>, now: Date): Promise<BoothRequestDoc[]> {
  assertRole(actor, 'liaison');
  if (!actor.member) throw new ForbiddenError();
  return listRequests(editionId, { ...filter, member: actor.member }, now);
}

export interface QuotaUse {
  member: string;
  quota: number;
  used: number;
}

export async function quotaUse(edition: FairEditionDoc, member: string): Promise<QuotaUse> {
  const c = await QuotaCounter.findOne({ edition: edition._id, member }).lean<QuotaCounterDoc>();
  return { member, quota: c?.quota ?? quotaFor(edition, member), used: c?.used ?? 0 };
}

export async function allQuotaUse(edition: FairEditionDoc): Promise<QuotaUse[]> {
  const counters = await QuotaCounter.find({ edition: edition._id }).lean<QuotaCounterDoc[]>();
  return counters.map((c) => ({ member: c.member, quota: c.quota, used: c.used })).sort((a, b) => a.member.localeCompare(b.member));
}

// ---------------------------------------------------------------------------------------------
// Creating and editing

/** Wished codes: "A01, B3" → existing booth codes of the edition, or a field error. */
async function checkWishedCodes(editionId: Types.ObjectId, raw: string | undefined): Promise<string[] | FieldErrors> {
  const codes = [...new Set((raw ?? '').toUpperCase().split(/[\s,;]+/).filter(Boolean))];
  if (codes.length > 10) return { wishedCodes: { key: 'fair:errors.tooManyWishes', params: { max: 10 } } };
  if (!codes.length) return [];
  const found = new Set((await Booth.find({ edition: editionId, code: trusted({ $in: codes }) }, { code: 1 }).lean()).map((b) => b.code));
  const unknown = codes.filter((c) => !found.has(c));
  if (unknown.length) return { wishedCodes: { key: 'fair:errors.unknownBooths', params: { codes: unknown.join(', ') } } };
  return codes;
}

/**
 * Parses the request form and checks it against the edition (quota, wished booths), reporting
 * every problem at once so the member fixes them in one go.
 */
async function checkRequestInput(edition: FairEditionDoc, member: string, raw: unknown): Promise<{ input: RequestInput; wishedCodes: string[] }> {
  const parsed = parseForm(RequestForm, raw);
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  const body = (raw ?? {}) as Record<string, unknown>;
  const quota = quotaFor(edition, member);
  const count = parsed.ok ? parsed.data.boothCount : Number(body.boothCount);
  if (!errors.boothCount && Number.isFinite(count) && count > quota) errors.boothCount = { key: 'fair:errors.overQuota', params: { quota } };
  const wishedRaw = parsed.ok ? parsed.data.wishedCodes : typeof body.wishedCodes === 'string' ? body.wishedCodes.slice(0, 200) : undefined;
  const wished = errors.wishedCodes ? [] : await checkWishedCodes(edition._id, wishedRaw);
  if (!Array.isArray(wished)) Object.assign(errors, wished);
  if (!parsed.ok || Object.keys(errors).length) throw new ValidationError(errors);
  return { input: parsed.data, wishedCodes: wished as string[] };
}

/** At most one brochure, stored under a random name before the record that points at it. */
async function storeBrochure(deps: FairDeps, brochure: UploadedFile[]): Promise<StoredFileRef[]> {
  if (brochure.length > 1) throw new ValidationError({ brochure: { key: 'uploads:errors.tooMany', params: { max: 1 } } });
  return brochure.length ? persistUploads(uploadCtx(deps), brochure) : [];
}

/** The fields a member fills in on the request form, as stored on a draft or a new request. */
function editableFields(input: RequestInput, wishedCodes: string[]) {
  return {
    contactName: input.contactName,
    phone: input.phone,
    products: input.products,
    boothCount: input.boothCount,
    wishedCodes,
    specialNeeds: input.specialNeeds ?? '',
  };
}

export async function createRequest(actor: Actor, editionId: string, raw: unknown, now: Date, deps: FairDeps, brochure: UploadedFile[] = []): Promise<BoothRequestDoc> {
  assertRole(actor, 'member');
  if (!actor.companyId || !actor.member) throw new ForbiddenError('fair:errors.noCompany');
  const edition = await findEdition(editionId);
  if (!requestWindowOpen(edition, now)) throw new ConflictError('fair:errors.windowClosed');
  const company = await ownCompany(actor);
  if (!company) throw new ForbiddenError('fair:errors.noCompany');
  const { input, wishedCodes } = await checkRequestInput(edition, company.member, raw);
  const status: RequestStatus = input.intent === 'submit' ? 'submitted' : 'draft';
  const timeline = [entry('create', null, 'draft', actor, now)];
  if (status === 'submitted') timeline.push(entry('submit', 'draft', 'submitted', actor, now));
  const stored = await storeBrochure(deps, brochure);
  let created;
  try {
    created = await BoothRequest.create({
      edition: edition._id,
      company: new Types.ObjectId(company.id),
      companyName: company.name,
      member: company.member,
      requester: new Types.ObjectId(actor.id),
      ...editableFields(input, wishedCodes),
      attachment: stored[0] ?? null,
      status,
      active: true,
      submittedAt: status === 'submitted' ? now : null,
      timeline,
    });
  } catch (err) {
    // Nothing half-stored: the brochure goes with the record that failed.
    if (stored.length) await removeStoredFiles(uploadCtx(deps), stored);
    if (isDuplicateKeyError(err)) throw new ConflictError('fair:errors.alreadyActive');
    throw err;
  }
  const doc = created.toObject() as BoothRequestDoc;
  if (status === 'submitted') await notifyStep({ ...deps, edition, request: doc, action: 'submit' });
  return doc;
}

export async function updateDraft(actor: Actor, id: string, raw: unknown, now: Date, deps: FairDeps, brochure: UploadedFile[] = []): Promise<BoothRequestDoc> {
  const request = await getRequest(actor, id);
  if (actor.role !== 'member') throw new ForbiddenError('fair:errors.wrongRole');
  if (request.status !== 'draft') throw new ConflictError('fair:errors.notDraft');
  const edition = await findEdition(String(request.edition));
  const { input, wishedCodes } = await checkRequestInput(edition, request.member, raw);
  if (input.intent === 'submit' && !requestWindowOpen(edition, now)) throw new ConflictError('fair:errors.windowClosed');
  const submit = input.intent === 'submit';
  const push = submit ? [entry('submit', 'draft', 'submitted', actor, now)] : [];
  const stored = await storeBrochure(deps, brochure);
  const updated = await BoothRequest.findOneAndUpdate(
    { _id: request._id, status: 'draft' },
    {
      $set: {
        ...editableFields(input, wishedCodes),
        ...(stored.length ? { attachment: stored[0] } : {}),
        ...(submit ? { status: 'submitted', submittedAt: now } : {}),
      },
      $push: { timeline: { $each: push } },
    },
    { returnDocument: 'after' },
  ).lean<BoothRequestDoc>();
  if (!updated) {
    if (stored.length) await removeStoredFiles(uploadCtx(deps), stored);
    throw new ConflictError('fair:errors.notDraft');
  }
  // The replaced brochure goes only once the record points at the new one.
  if (stored.length && request.attachment) await removeStored(uploadCtx(deps), request.attachment);
  if (submit) await notifyStep({ ...deps, edition, request: updated, action: 'submit' });
  return updated;
}

/** Values for the request form from a stored draft. */
export function requestFormValues(r: BoothRequestDoc): Record<string, string | number> {
  return { contactName: r.contactName, phone: r.phone, products: r.products, boothCount: r.boothCount, wishedCodes: r.wishedCodes.join(', '), specialNeeds: r.specialNeeds };
}

// ---------------------------------------------------------------------------------------------
// Transitions

function refuse(check: { ok: false; reason: 'role' | 'state' }, status: RequestStatus): never {
  if (check.reason === 'role') throw new ForbiddenError('fair:errors.wrongRole');
  throw new ConflictError('fair:errors.wrongState', { status });
}

/**
 * The one door for every human step (submit, endorse, decline, approve, waitlist, reject, confirm,
 * withdraw). Checks visibility (404), role (403) and state (409) before writing anything.
 */
export async function transition(
  actor: Actor,
  id: string,
  action: Exclude<RequestAction, 'offer'>,
  raw: { note?: unknown; booths?: unknown },
  now: Date,
  deps: FairDeps,
): Promise<BoothRequestDoc> {
  const request = await getRequest(actor, id);
  const check = planTransition(action, request.status, actor.role);
  if (!check.ok) refuse(check, request.status);
  const edition = await findEdition(String(request.edition));
  const { note } = parseOrThrow(NoteForm, { note: raw.note });

  if (action === 'approve') {
    const form = parseOrThrow(ApproveForm, { booths: raw.booths, note: raw.note });
    return approve(actor, edition, request, form.booths, form.note ?? '', now, deps);
  }
  if (action === 'submit') {
    if (!requestWindowOpen(edition, now)) throw new ConflictError('fair:errors.windowClosed');
    if (request.boothCount > quotaFor(edition, request.member)) throw new ConflictError('fair:errors.overQuotaNow', { quota: quotaFor(edition, request.member) });
  }
  if (action === 'withdraw' && now >= edition.startsOn) throw new ConflictError('fair:errors.fairStarted');

  const rule = TRANSITIONS[action];
  const set: Record<string, unknown> = { status: rule.to, active: isActive(rule.to) };
  if (action === 'submit') set.submittedAt = now;
  if (action === 'waitlist') set.waitlistedAt = now;
  const freed = action === 'withdraw' ? request.booths : [];
  if (action === 'withdraw') set.booths = [];
  const updated = await BoothRequest.findOneAndUpdate(
    { _id: request._id, status: trusted({ $in: [...rule.from] }) },
    { $set: set, $push: { timeline: entry(action, request.status, rule.to, actor, now, note ?? '', freed.map((b) => b.code)) } },
    { returnDocument: 'after' },
  ).lean<BoothRequestDoc>();
  if (!updated) throw new ConflictError('fair:errors.wrongState', { status: request.status });
  await recordAudit({ actor, action: `fair.request.${action}`, targetType: 'BoothRequest', targetId: id, before: { status: request.status }, after: { status: rule.to }, note: note ?? '', at: now });
  await notifyStep({ ...deps, edition, request: updated, action, note, booths: freed.map((b) => b.code) });
  if (freed.length) {
    await releaseBooths(edition, request, freed);
    await offerFreedBooths(edition, freed, request.member, now, deps);
  }
  return updated;
}

async function ensureCounter(edition: FairEditionDoc, member: string): Promise<QuotaCounterDoc> {
  const filter = { edition: edition._id, member };
  try {
    const c = await QuotaCounter.findOneAndUpdate(filter, { $setOnInsert: { quota: quotaFor(edition, member), used: 0 } }, { upsert: true, returnDocument: 'after' }).lean<QuotaCounterDoc>();
    if (c) return c;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const c = await QuotaCounter.findOne(filter).lean<QuotaCounterDoc>();
  if (!c) throw new ConflictError('errors:conflict.message');
  return c;
}

/** Takes `n` places of the member's quota, or returns false when there is no room. */
async function reserveQuota(edition: FairEditionDoc, member: string, n: number): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const c = await ensureCounter(edition, member);
    if (c.used + n > c.quota) return false;
    const taken = await QuotaCounter.findOneAndUpdate({ _id: c._id, quota: c.quota, used: trusted({ $lte: c.quota - n }) }, { $inc: { used: n } }, { returnDocument: 'after' }).lean();
    if (taken) return true;
    // The counter moved (another allocation, or a changed quota): look again.
  }
  return false;
}

async function giveBackQuota(editionId: Types.ObjectId, member: string, n: number): Promise<void> {
  if (n > 0) await QuotaCounter.updateOne({ edition: editionId, member }, { $inc: { used: -n } });
}

async function releaseBooths(edition: FairEditionDoc, request: Pick<BoothRequestDoc, '_id' | 'member'>, booths: AssignedBooth[]): Promise<void> {
  const res = await BoothAssignment.deleteMany({ request: request._id, booth: trusted({ $in: booths.map((b) => b.booth) }) });
  await giveBackQuota(edition._id, request.member, res.deletedCount ?? 0);
}

export class AllocationConflict extends ConflictError {}

/**
 * Claims the booths for the request and moves it to "approved". Throws ConflictError (quota full,
 * booth taken, state changed) after undoing whatever it had done.
 */
async function allocate(
  edition: FairEditionDoc,
  request: BoothRequestDoc,
  booths: BoothDoc[],
  action: 'approve' | 'offer',
  actor: Actor | null,
  note: string,
  now: Date,
): Promise<BoothRequestDoc> {
  const n = booths.length;
  if (!(await reserveQuota(edition, request.member, n))) throw new AllocationConflict('fair:errors.quotaFull', { member: request.member });
  const claimed: Types.ObjectId[] = [];
  const undo = async () => {
    if (claimed.length) await BoothAssignment.deleteMany({ request: request._id, booth: trusted({ $in: claimed }) });
    await giveBackQuota(edition._id, request.member, n);
  };
  for (const booth of booths) {
    try {
      await BoothAssignment.create({ edition: edition._id, booth: booth._id, request: request._id, member: request.member, company: request.company, at: now });
      claimed.push(booth._id);
    } catch (err) {
      await undo();
      if (isDuplicateKeyError(err)) throw new AllocationConflict('fair:errors.boothTaken', { code: booth.code });
      throw err;
    }
  }
  const rule = TRANSITIONS[action];
  const assigned: AssignedBooth[] = booths.map((b) => ({ booth: b._id, code: b.code }));
  const updated = await BoothRequest.findOneAndUpdate(
    { _id: request._id, status: trusted({ $in: [...rule.from] }) },
    { $set: { status: 'approved', active: true, booths: assigned }, $push: { timeline: entry(action, request.status, 'approved', actor, now, note, assigned.map((b) => b.code)) } },
    { returnDocument: 'after' },
  ).lean<BoothRequestDoc>();
  if (!updated) {
    await undo();
    throw new AllocationConflict('fair:errors.wrongState', { status: request.status });
  }
  return updated;
}

async function approve(actor: Actor, edition: FairEditionDoc, request: BoothRequestDoc, boothIds: string[], note: string, now: Date, deps: FairDeps): Promise<BoothRequestDoc> {
  assertRole(actor, 'organizer');
  const ids = [...new Set(boothIds)];
  if (ids.length > request.boothCount) throw new ValidationError({ booths: { key: 'fair:errors.tooManyBooths', params: { count: request.boothCount } } });
  const booths = await Booth.find({ _id: trusted({ $in: ids.map((i) => new Types.ObjectId(i)) }), edition: edition._id }).lean<BoothDoc[]>();
  if (booths.length !== ids.length) throw new ValidationError({ booths: { key: 'fair:errors.unknownBooth' } });
  booths.sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
  const updated = await allocate(edition, request, booths, 'approve', actor, note, now);
  const codes = booths.map((b) => b.code);
  await recordAudit({ actor, action: 'fair.booth.allocate', targetType: 'BoothRequest', targetId: String(request._id), before: { status: request.status }, after: { status: 'approved', booths: codes }, note, at: now });
  await notifyStep({ ...deps, edition, request: updated, action: 'approve', note, booths: codes });
  return updated;
}

/**
 * Offers each freed booth to the first waitlisted request of the same ASEM member, then of any
 * member (oldest on the waitlist first), skipping requests whose member has no quota left.
 */
export async function offerFreedBooths(edition: FairEditionDoc, freed: AssignedBooth[], member: string, now: Date, deps: FairDeps): Promise<void> {
  for (const freedBooth of freed) {
    const booth = await Booth.findOne({ _id: freedBooth.booth, edition: edition._id }).lean<BoothDoc>();
    if (!booth) continue;
    const waiting = await BoothRequest.find({ edition: edition._id, status: 'waitlisted' }, { timeline: 0 }).sort({ waitlistedAt: 1, _id: 1 }).lean<BoothRequestDoc[]>();
    const ordered = [...waiting.filter((r) => r.member === member), ...waiting.filter((r) => r.member !== member)];
    for (const candidate of ordered) {
      try {
        const updated = await allocate(edition, candidate, [booth], 'offer', null, '', now);
        await recordAudit({ actor: null, action: 'fair.booth.offer', targetType: 'BoothRequest', targetId: String(candidate._id), after: { status: 'approved', booths: [booth.code] }, at: now });
        await notifyStep({ ...deps, edition, request: updated, action: 'offer', booths: [booth.code] });
        break;
      } catch (err) {
        if (!(err instanceof AllocationConflict)) throw err;
        if (err.messageKey === 'fair:errors.boothTaken') break; // someone else has it now
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Floor plan facts and exports

export interface BoothHolding {
  state: 'held' | 'allocated';
  companyName: string;
  member: string;
  requestId: string;
}

/** Which booths are held (approved, awaiting the member) or allocated (confirmed), by booth id. */
export async function boothHoldings(editionId: Types.ObjectId): Promise<Map<string, BoothHolding>> {
  const holders = await BoothRequest.find({ edition: editionId, status: trusted({ $in: ['approved', 'confirmed'] }) }, { booths: 1, status: 1, companyName: 1, member: 1 }).lean<BoothRequestDoc[]>();
  const map = new Map<string, BoothHolding>();
  for (const r of holders) {
    for (const b of r.booths) map.set(String(b.booth), { state: r.status === 'confirmed' ? 'allocated' : 'held', companyName: r.companyName, member: r.member, requestId: String(r._id) });
  }
  return map;
}

/** Free booths of the edition: no assignment document. */
export async function freeBooths(editionId: Types.ObjectId): Promise<BoothDoc[]> {
  const taken = new Set((await BoothAssignment.find({ edition: editionId }, { booth: 1 }).lean()).map((a) => String(a.booth)));
  const booths = await Booth.find({ edition: editionId }).lean<BoothDoc[]>();
  return booths.filter((b) => !taken.has(String(b._id))).sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
}

export interface ExhibitorRow {
  companyName: string;
  member: string;
  booths: string[];
  contactName: string;
  phone: string;
  email: string;
  products: string;
  status: RequestStatus;
}

/** Exhibitors: confirmed and approved requests with their booths, by booth code. */
export async function exhibitors(editionId: Types.ObjectId): Promise<ExhibitorRow[]> {
  const rows = await BoothRequest.find({ edition: editionId, status: trusted({ $in: ['approved', 'confirmed'] }) }, { timeline: 0 }).lean<BoothRequestDoc[]>();
  const users = await emailAddresses(rows.map((r) => r.requester));
  return rows
    .map((r) => ({
      companyName: r.companyName,
      member: r.member,
      booths: r.booths.map((b) => b.code),
      contactName: r.contactName,
      phone: r.phone,
      email: users.get(String(r.requester)) ?? '',
      products: r.products,
      status: r.status,
    }))
    .sort((a, b) => (a.booths[0] ?? '').localeCompare(b.booths[0] ?? '', 'en', { numeric: true }));
}

function csvCell(value: string): string {
  // A leading =, +, - or @ would run as a formula in a spreadsheet: quote it away.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function exhibitorsCsv(rows: ExhibitorRow[], headers: string[], statusLabel: (s: RequestStatus) => string): string {
  const lines = [headers.map(csvCell).join(',')];
  for (const r of rows) lines.push([r.booths.join(' '), r.companyName, r.member, r.contactName, r.phone, r.email, r.products, statusLabel(r.status)].map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Counts of requests per status and per member, for the organizer desk. */
export async function requestCounts(editionId: Types.ObjectId): Promise<{ byStatus: Record<string, number>; byMember: Record<string, Record<string, number>> }> {
  const rows = await BoothRequest.find({ edition: editionId }, { status: 1, member: 1 }).lean<BoothRequestDoc[]>();
  const byStatus: Record<string, number> = {};
  const byMember: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    byMember[r.member] ??= {};
    byMember[r.member]![r.status] = (byMember[r.member]![r.status] ?? 0) + 1;
  }
  return { byStatus, byMember };
}

/** The fair's editions still exist for a request's page header. */
export async function editionOf(request: Pick<BoothRequestDoc, 'edition'>): Promise<FairEditionDoc> {
  const e = await FairEdition.findById(request.edition).lean<FairEditionDoc>();
  if (!e) throw new NotFoundError();
  return e;
}

/**
 * Repairs what a crash between two writes of an allocation or a withdrawal could leave behind:
 * an assignment whose request does not hold that booth (any more), and quota counters that no
 * longer match the booths actually held. Run at start-up, before any request is served.
 */
export async function reconcileAllocations(): Promise<{ removed: number; countersFixed: number }> {
  let removed = 0;
  let countersFixed = 0;
  const editions = await BoothAssignment.distinct('edition');
  const counterEditions = await QuotaCounter.distinct('edition');
  for (const editionId of new Set([...editions, ...counterEditions].map(String))) {
    const eid = new Types.ObjectId(editionId);
    const holders = await BoothRequest.find({ edition: eid, status: trusted({ $in: ['approved', 'confirmed'] }) }, { booths: 1 }).lean<BoothRequestDoc[]>();
    const valid = new Set(holders.flatMap((r) => r.booths.map((b) => `${String(r._id)}:${String(b.booth)}`)));
    const assignments = await BoothAssignment.find({ edition: eid }).lean();
    const stale = assignments.filter((a) => !valid.has(`${String(a.request)}:${String(a.booth)}`));
    if (stale.length) {
      await BoothAssignment.deleteMany({ _id: trusted({ $in: stale.map((a) => a._id) }) });
      removed += stale.length;
    }
    const held = new Map<string, number>();
    for (const a of assignments) if (!stale.includes(a)) held.set(a.member, (held.get(a.member) ?? 0) + 1);
    for (const c of await QuotaCounter.find({ edition: eid }).lean<QuotaCounterDoc[]>()) {
      const used = held.get(c.member) ?? 0;
      if (c.used !== used) {
        await QuotaCounter.updateOne({ _id: c._id, used: c.used }, { $set: { used } });
        countersFixed++;
      }
    }
  }
  return { removed, countersFixed };
}
