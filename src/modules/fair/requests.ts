/**
 * Booth requests: who may see one, the lists (own, liaison queue, organizer desk), and creating or
 * editing a request (a draft stays private to its author until it is submitted).
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { assertRole, objectIdOr404 } from '../../kernel';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, isDuplicateKeyError, type FieldErrors } from '../../kernel';
import { fields } from '../../web/forms';
import { persistUploads, removeStored, removeStoredFiles, type StoredFileRef, type UploadedFile } from '../../web/uploads';
import { ownCompany } from '../accounts';
import type { FairDeps } from './deps';
import { currentEdition, findEdition, quotaFor, requestWindowOpen } from './editions';
import { Booth, BoothRequest, FairEdition, REQUEST_STATUSES, type BoothRequestDoc, type FairEditionDoc, type RequestStatus } from './model';
import { notifyStep } from './notify';
import { timelineEntry } from './timeline';

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

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * A request the actor may see. A draft: only its author (as practice drafts). Once submitted: the
 * requesting company, the liaisons of its ASEM member and the organizers. Anyone else: 404.
 */
export function canSee(actor: Actor, request: Pick<BoothRequestDoc, 'requester' | 'company' | 'member' | 'status'>): boolean {
  if (request.status === 'draft') return String(request.requester) === actor.id;
  if (actor.role === 'organizer') return true;
  if (actor.role === 'liaison') return actor.member !== null && actor.member === request.member;
  return String(request.requester) === actor.id || (actor.companyId !== null && String(request.company) === actor.companyId);
}

export async function getRequest(actor: Actor, id: unknown): Promise<BoothRequestDoc> {
  assertRole(actor, 'member', 'liaison', 'organizer');
  const request = await BoothRequest.findById(objectIdOr404(id)).lean<BoothRequestDoc>();
  if (!request || !canSee(actor, request)) throw new NotFoundError();
  return request;
}

export async function listOwnRequests(actor: Actor): Promise<BoothRequestDoc[]> {
  assertRole(actor, 'member');
  const or: Record<string, unknown>[] = [{ requester: new Types.ObjectId(actor.id) }];
  if (actor.companyId) or.push({ company: new Types.ObjectId(actor.companyId) });
  const rows = await BoothRequest.find({ $or: or }, { timeline: 0 }).sort({ createdAt: -1 }).limit(100).lean<BoothRequestDoc[]>();
  return rows.filter((r) => canSee(actor, r));
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
export type ListFilter = z.infer<typeof ListFilterForm>;

export function filterOf(f: ListFilter): RequestFilter {
  return { status: f.status, member: f.member, olderThanDays: f.age ? Number(f.age) : undefined };
}

/** Submitted requests of the edition (drafts are never listed: they belong to their author alone). */
export async function listRequests(editionId: Types.ObjectId, filter: RequestFilter, now: Date, sort: Record<string, 1 | -1> = { submittedAt: 1, createdAt: 1 }): Promise<BoothRequestDoc[]> {
  if (filter.status === 'draft') return [];
  const query: Record<string, unknown> = { edition: editionId };
  query.status = filter.status ?? trusted({ $ne: 'draft' });
  if (filter.member) query.member = filter.member;
  if (filter.olderThanDays) query.submittedAt = trusted({ $lte: new Date(now.getTime() - filter.olderThanDays * 86_400_000) });
  return BoothRequest.find(query, { timeline: 0 }).sort(sort).limit(1000).lean<BoothRequestDoc[]>();
}

/** The liaison's queue: its member's submitted requests. */
export async function liaisonQueue(actor: Actor, editionId: Types.ObjectId, filter: Omit<RequestFilter, 'member'>, now: Date): Promise<BoothRequestDoc[]> {
  assertRole(actor, 'liaison');
  if (!actor.member) throw new ForbiddenError();
  return listRequests(editionId, { ...filter, member: actor.member }, now);
}

/** The edition a request belongs to (for its page header). */
export async function editionOf(request: Pick<BoothRequestDoc, 'edition'>): Promise<FairEditionDoc> {
  const e = await FairEdition.findById(request.edition).lean<FairEditionDoc>();
  if (!e) throw new NotFoundError();
  return e;
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
 * The checks of the request form that need the edition: the member's quota and the wished booths.
 * Takes what the form sent, typed or not, so the form can show these problems beside the schema's.
 */
export async function requestProblems(edition: FairEditionDoc, member: string, values: { boothCount?: unknown; wishedCodes?: unknown }): Promise<{ errors: FieldErrors; wishedCodes: string[] }> {
  const errors: FieldErrors = {};
  const quota = quotaFor(edition, member);
  const count = Number(values.boothCount);
  if (Number.isFinite(count) && count > quota) errors.boothCount = { key: 'fair:errors.overQuota', params: { quota } };
  const wishedRaw = typeof values.wishedCodes === 'string' ? values.wishedCodes.slice(0, 200) : undefined;
  const wished = await checkWishedCodes(edition._id, wishedRaw);
  if (!Array.isArray(wished)) Object.assign(errors, wished);
  return { errors, wishedCodes: Array.isArray(wished) ? wished : [] };
}

async function checkRequestInput(edition: FairEditionDoc, member: string, input: RequestInput): Promise<string[]> {
  const { errors, wishedCodes } = await requestProblems(edition, member, input);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return wishedCodes;
}

/** At most one brochure, stored under a random name before the record that points at it. */
async function storeBrochure(deps: FairDeps, brochure: UploadedFile[]): Promise<StoredFileRef[]> {
  if (brochure.length > 1) throw new ValidationError({ brochure: { key: 'uploads:errors.tooMany', params: { max: 1 } } });
  return brochure.length ? persistUploads(deps, brochure) : [];
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

export async function createRequest(deps: FairDeps, actor: Actor, input: RequestInput, brochure: UploadedFile[] = []): Promise<BoothRequestDoc> {
  assertRole(actor, 'member');
  if (!actor.companyId || !actor.member) throw new ForbiddenError('fair:errors.noCompany');
  const now = deps.clock();
  const edition = await currentOpenEdition(now);
  const company = await ownCompany(actor);
  if (!company) throw new ForbiddenError('fair:errors.noCompany');
  const wishedCodes = await checkRequestInput(edition, company.member, input);
  const status: RequestStatus = input.intent === 'submit' ? 'submitted' : 'draft';
  const timeline = [timelineEntry('create', null, 'draft', actor, now)];
  if (status === 'submitted') timeline.push(timelineEntry('submit', 'draft', 'submitted', actor, now));
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
    if (stored.length) await removeStoredFiles(deps, stored);
    if (isDuplicateKeyError(err)) throw new ConflictError('fair:errors.alreadyActive');
    throw err;
  }
  const doc = created.toObject() as BoothRequestDoc;
  if (status === 'submitted') await notifyStep(deps, { edition, request: doc, action: 'submit' });
  return doc;
}

/** The edition members may ask a booth of now, or 409. */
async function currentOpenEdition(now: Date): Promise<FairEditionDoc> {
  const edition = await currentEdition();
  if (!edition || !requestWindowOpen(edition, now)) throw new ConflictError('fair:errors.windowClosed');
  return edition;
}

export async function updateDraft(deps: FairDeps, actor: Actor, id: string, input: RequestInput, brochure: UploadedFile[] = []): Promise<BoothRequestDoc> {
  const request = await getRequest(actor, id);
  if (actor.role !== 'member') throw new ForbiddenError('fair:errors.wrongRole');
  if (request.status !== 'draft') throw new ConflictError('fair:errors.notDraft');
  const now = deps.clock();
  const edition = await findEdition(request.edition);
  const wishedCodes = await checkRequestInput(edition, request.member, input);
  const submit = input.intent === 'submit';
  if (submit && !requestWindowOpen(edition, now)) throw new ConflictError('fair:errors.windowClosed');
  const push = submit ? [timelineEntry('submit', 'draft', 'submitted', actor, now)] : [];
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
    if (stored.length) await removeStoredFiles(deps, stored);
    throw new ConflictError('fair:errors.notDraft');
  }
  // The replaced brochure goes only once the record points at the new one.
  if (stored.length && request.attachment) await removeStored(deps, request.attachment);
  if (submit) await notifyStep(deps, { edition, request: updated, action: 'submit' });
  return updated;
}

/** Values for the request form from a stored draft. */
export function requestFormValues(r: BoothRequestDoc): Record<string, string> {
  return { contactName: r.contactName, phone: r.phone, products: r.products, boothCount: String(r.boothCount), wishedCodes: r.wishedCodes.join(', '), specialNeeds: r.specialNeeds };
}
