/**
 * The officials' mechanism: the events calendar, delegations, working documents and comments.
 * Who may see what is decided here (policies below): officials-only things are 404 to everyone
 * else, so an SME or a visitor cannot even learn that they exist.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Types, trusted } from 'mongoose';
import type { Actor, Clock } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError, assertRole, isObjectId } from '../../kernel';
import type { FileStore } from '../../web/files';
import type { Mailer } from '../../web/mail';
import { persistUploads, removeStoredFiles, tempDir, type StoredFileRef, type UploadedFile } from '../../web/uploads';
import { liaisonsOf } from '../accounts';
import { recordAudit } from '../audit';
import { FairEdition } from '../fair';
import { isAsemMemberCode, listAsemMembers } from '../members';
import { publishPolicyDocument } from '../practices';
import type { DelegationInput, DocumentInput, EventInput, PublishInput, VersionInput } from './forms';
import {
  CalendarToken,
  Delegation,
  DocumentComment,
  OfficialEvent,
  WorkingDocument,
  type DelegationDoc,
  type DocumentCommentDoc,
  type DocumentVersionDoc,
  type OfficialEventDoc,
  type WorkingDocumentDoc,
} from './model';

export interface EventsDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  files: FileStore;
  uploadDir: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A deadline day lasts to its end. */
export function endOfDay(day: Date): Date {
  return new Date(day.getTime() + DAY_MS - 1);
}

// ---- policies ----------------------------------------------------------------------------------

export function isOfficial(actor: Actor | undefined): actor is Actor {
  return !!actor && (actor.role === 'liaison' || actor.role === 'organizer');
}

/** Officials-only things are 404 to everyone else (not 403: their existence is not shown). */
function assertOfficial(actor: Actor | undefined): asserts actor is Actor {
  if (!isOfficial(actor)) throw new NotFoundError();
}

export function maySeeEvent(actor: Actor | undefined, event: Pick<OfficialEventDoc, 'visibility'>): boolean {
  return event.visibility === 'public' || isOfficial(actor);
}

export function delegationsOpen(event: OfficialEventDoc, now: Date): boolean {
  return !!event.delegationDeadline && !event.delegationsLockedAt && now <= event.delegationDeadline;
}

export function commentsOpen(doc: Pick<WorkingDocumentDoc, 'commentDeadline'>, now: Date): boolean {
  return !doc.commentDeadline || now <= doc.commentDeadline;
}

// ---- events ------------------------------------------------------------------------------------

/** A row of the calendar: an officials' event or a fair edition (read from the fair module). */
export interface CalendarEntry {
  id: string;
  source: 'event' | 'fair';
  kind: OfficialEventDoc['kind'] | 'fair';
  title: { en: string; 'zh-CN': string };
  description: { en: string; 'zh-CN': string };
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  /** Wall-clock times in timeZone on the first and last day, or null for whole days. */
  startTime: string | null;
  endTime: string | null;
  /** The iCalendar SEQUENCE (raised on each edit). */
  sequence: number;
  hostMember: string;
  city: string;
  venue: string;
  visibility: 'public' | 'officials';
  url: string;
}

function entryOfEvent(e: OfficialEventDoc): CalendarEntry {
  return {
    id: String(e._id),
    source: 'event',
    kind: e.kind,
    title: e.title,
    description: e.description,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    timeZone: e.timeZone,
    startTime: e.startTime ?? null,
    endTime: e.endTime ?? null,
    sequence: e.sequence ?? 0,
    hostMember: e.hostMember,
    city: e.city,
    venue: e.venue,
    visibility: e.visibility,
    url: `/events/${String(e._id)}`,
  };
}

/** The fair editions shown on /fair (open, closed, allocated), as calendar entries. */
async function fairEntries(): Promise<CalendarEntry[]> {
  const editions = await FairEdition.find({ status: trusted({ $in: ['open', 'closed', 'allocated', 'archived'] }) })
    .sort({ startsOn: -1 })
    .limit(50)
    .lean();
  return editions.map((f) => ({
    id: `fair-${String(f._id)}`,
    source: 'fair' as const,
    kind: 'fair' as const,
    title: { en: f.name.en ?? '', 'zh-CN': f.name['zh-CN'] ?? f.name.en ?? '' },
    description: { en: f.notes?.en ?? '', 'zh-CN': f.notes?.['zh-CN'] ?? '' },
    startsAt: f.startsOn,
    endsAt: f.endsOn,
    timeZone: 'Asia/Shanghai',
    startTime: null,
    endTime: null,
    sequence: 0,
    hostMember: 'CN',
    city: f.city.en ?? '',
    venue: f.venue.en ?? '',
    visibility: 'public' as const,
    url: '/fair',
  }));
}

/** Everything on the calendar this reader may see, soonest first. */
export async function calendar(actor: Actor | undefined, opts: { includeOfficials?: boolean } = {}): Promise<CalendarEntry[]> {
  const officials = opts.includeOfficials ?? isOfficial(actor);
  const filter: Record<string, unknown> = officials ? {} : { visibility: 'public' };
  const [events, fairs] = await Promise.all([OfficialEvent.find(filter).sort({ startsAt: 1 }).limit(500).lean<OfficialEventDoc[]>(), fairEntries()]);
  return [...events.map(entryOfEvent), ...fairs].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

export async function getEvent(actor: Actor | undefined, id: unknown): Promise<OfficialEventDoc> {
  if (!isObjectId(id)) throw new NotFoundError();
  const event = await OfficialEvent.findById(id).lean<OfficialEventDoc>();
  if (!event || !maySeeEvent(actor, event)) throw new NotFoundError();
  return event;
}

export function eventEntry(event: OfficialEventDoc): CalendarEntry {
  return entryOfEvent(event);
}

/** The stored fields of an event, from the form (create and edit share the rules). */
async function eventFields(input: EventInput): Promise<Omit<OfficialEventDoc, '_id' | 'delegationsLockedAt' | 'reminder14At' | 'reminder3At' | 'createdBy' | 'createdAt' | 'updatedAt' | 'sequence'>> {
  const host = input.hostMember.toUpperCase();
  if (!(await isAsemMemberCode(host))) throw new ValidationError({ hostMember: { key: 'validation:invalidChoice' } });
  return {
    kind: input.kind,
    title: { en: input.titleEn, 'zh-CN': input.titleZh },
    description: { en: input.descriptionEn ?? '', 'zh-CN': input.descriptionZh ?? '' },
    startsAt: input.startsOn,
    endsAt: input.endsOn,
    startTime: input.startTime ?? null,
    endTime: input.endTime ?? null,
    timeZone: input.timeZone,
    hostMember: host,
    city: input.city,
    venue: input.venue ?? '',
    visibility: input.visibility,
    delegationDeadline: input.delegationDeadline ? endOfDay(input.delegationDeadline) : null,
  };
}

/** What the audit log keeps of an event (before and after an edit). */
function eventAudit(e: Pick<OfficialEventDoc, 'kind' | 'title' | 'startsAt' | 'endsAt' | 'startTime' | 'endTime' | 'timeZone' | 'hostMember' | 'city' | 'venue' | 'visibility' | 'delegationDeadline'>): Record<string, unknown> {
  return {
    kind: e.kind,
    title: e.title.en,
    titleZh: e.title['zh-CN'],
    startsOn: e.startsAt.toISOString().slice(0, 10),
    endsOn: e.endsAt.toISOString().slice(0, 10),
    startTime: e.startTime ?? null,
    endTime: e.endTime ?? null,
    timeZone: e.timeZone,
    hostMember: e.hostMember,
    city: e.city,
    venue: e.venue,
    visibility: e.visibility,
    delegationDeadline: e.delegationDeadline ? e.delegationDeadline.toISOString().slice(0, 10) : null,
  };
}

async function createEvent(deps: EventsDeps, actor: Actor, input: EventInput): Promise<OfficialEventDoc> {
  assertRole(actor, 'organizer');
  const fieldsOf = await eventFields(input);
  const created = await OfficialEvent.create({
    ...fieldsOf,
    sequence: 0,
    createdBy: new Types.ObjectId(actor.id),
    createdAt: deps.clock(),
    updatedAt: deps.clock(),
  });
  await recordAudit({ actor, action: 'event.create', targetType: 'event', targetId: String(created._id), after: { title: input.titleEn }, at: deps.clock() });
  return created.toObject();
}

/**
 * The organizer changes an event: every field, with the rules of creation. The iCalendar SEQUENCE
 * goes up so calendars that imported the event replace it (same UID). A new delegation deadline
 * makes the reminders due again for it.
 */
async function updateEvent(deps: EventsDeps, actor: Actor, id: unknown, input: EventInput): Promise<OfficialEventDoc> {
  assertRole(actor, 'organizer');
  const before = await getEvent(actor, id);
  const fieldsOf = await eventFields(input);
  const deadlineMoved = (before.delegationDeadline?.getTime() ?? null) !== (fieldsOf.delegationDeadline?.getTime() ?? null);
  const now = deps.clock();
  const after = await OfficialEvent.findOneAndUpdate(
    { _id: before._id },
    { $set: { ...fieldsOf, updatedAt: now, ...(deadlineMoved ? { reminder14At: null, reminder3At: null } : {}) }, $inc: { sequence: 1 } },
    { returnDocument: 'after' },
  ).lean<OfficialEventDoc>();
  if (!after) throw new NotFoundError();
  await recordAudit({ actor, action: 'event.update', targetType: 'event', targetId: String(after._id), before: eventAudit(before), after: eventAudit(after), at: now });
  return after;
}

/** The form's values for an event being edited. */
export function eventFormValues(e: OfficialEventDoc): Record<string, string> {
  const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');
  return {
    kind: e.kind,
    titleEn: e.title.en,
    titleZh: e.title['zh-CN'],
    descriptionEn: e.description.en,
    descriptionZh: e.description['zh-CN'],
    startsOn: day(e.startsAt),
    endsOn: day(e.endsAt),
    startTime: e.startTime ?? '',
    endTime: e.endTime ?? '',
    timeZone: e.timeZone,
    hostMember: e.hostMember,
    city: e.city,
    venue: e.venue,
    visibility: e.visibility,
    delegationDeadline: day(e.delegationDeadline),
  };
}

// ---- private calendar feed -----------------------------------------------------------------------

/** The official's feed token, made on first use. */
async function feedToken(deps: EventsDeps, actor: Actor | undefined): Promise<string> {
  assertOfficial(actor);
  const user = new Types.ObjectId(actor.id);
  const existing = await CalendarToken.findOne({ user }).lean();
  if (existing) return existing.token;
  await CalendarToken.updateOne({ user }, { $setOnInsert: { token: randomBytes(24).toString('base64url'), createdAt: deps.clock() } }, { upsert: true });
  return (await CalendarToken.findOne({ user }).lean())!.token;
}

/** A new token: the old feed address stops working. */
async function regenerateFeedToken(deps: EventsDeps, actor: Actor | undefined): Promise<string> {
  assertOfficial(actor);
  const token = randomBytes(24).toString('base64url');
  await CalendarToken.updateOne({ user: new Types.ObjectId(actor.id) }, { $set: { token, createdAt: deps.clock() } }, { upsert: true });
  return token;
}

/** Whether a feed token is current (the private feed is 404 otherwise). Only the token's holder's role is not re-checked here: see feedHolder. */
export async function feedHolder(token: unknown): Promise<string | null> {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
  const row = await CalendarToken.findOne({ token }).lean();
  return row ? String(row.user) : null;
}

// ---- delegations ---------------------------------------------------------------------------------

async function officialEvent(actor: Actor | undefined, id: unknown): Promise<OfficialEventDoc> {
  assertOfficial(actor);
  return getEvent(actor, id);
}

export async function delegationOf(actor: Actor | undefined, eventId: unknown): Promise<{ event: OfficialEventDoc; delegation: DelegationDoc | null }> {
  const event = await officialEvent(actor, eventId);
  if (!event.delegationDeadline) throw new NotFoundError();
  const delegation = actor!.member ? await Delegation.findOne({ event: event._id, member: actor!.member }).lean<DelegationDoc>() : null;
  return { event, delegation };
}

async function registerDelegation(deps: EventsDeps, actor: Actor | undefined, eventId: unknown, input: DelegationInput): Promise<DelegationDoc> {
  const event = await officialEvent(actor, eventId);
  assertRole(actor, 'liaison');
  if (!event.delegationDeadline || !actor.member) throw new NotFoundError();
  if (event.delegationsLockedAt) throw new ValidationError({ _form: { key: 'events:errors.delegationsLocked' } });
  if (deps.clock() > event.delegationDeadline) throw new ValidationError({ _form: { key: 'events:errors.deadlinePassed' } });
  const now = deps.clock();
  // The lock and the deadline are checked again by the write itself: a lock that lands meanwhile wins.
  const open = await OfficialEvent.countDocuments({ _id: event._id, delegationsLockedAt: null });
  if (!open) throw new ValidationError({ _form: { key: 'events:errors.delegationsLocked' } });
  const saved = await Delegation.findOneAndUpdate(
    { event: event._id, member: actor.member },
    {
      $set: { ...input, registeredBy: new Types.ObjectId(actor.id), registeredByName: actor.name, updatedAt: now },
      $setOnInsert: { createdAt: now },
    },
    { upsert: true, returnDocument: 'after', timestamps: false },
  ).lean<DelegationDoc>();
  return saved!;
}

export interface DelegationRow {
  member: string;
  memberName: string;
  region: string;
  delegation: DelegationDoc | null;
}

/** The organizer's list: one row per ASEM member, those still missing first, then by name. */
async function delegationList(actor: Actor | undefined, eventId: unknown, lang: 'en' | 'zh-CN'): Promise<{ event: OfficialEventDoc; rows: DelegationRow[] }> {
  const event = await officialEvent(actor, eventId);
  assertRole(actor, 'organizer');
  if (!event.delegationDeadline) throw new NotFoundError();
  const [members, delegations] = await Promise.all([listAsemMembers(lang), Delegation.find({ event: event._id }).lean<DelegationDoc[]>()]);
  const byMember = new Map(delegations.map((d) => [d.member, d]));
  const rows = members.map((m) => ({ member: m.code, memberName: m.name[lang] || m.name.en, region: m.region, delegation: byMember.get(m.code) ?? null }));
  rows.sort((a, b) => Number(!!a.delegation) - Number(!!b.delegation));
  return { event, rows };
}

async function lockDelegations(deps: EventsDeps, actor: Actor | undefined, eventId: unknown): Promise<void> {
  const event = await officialEvent(actor, eventId);
  assertRole(actor, 'organizer');
  if (!event.delegationDeadline) throw new NotFoundError();
  await OfficialEvent.updateOne({ _id: event._id, delegationsLockedAt: null }, { $set: { delegationsLockedAt: deps.clock() } });
  await recordAudit({ actor, action: 'event.delegations.lock', targetType: 'event', targetId: String(event._id), after: {}, at: deps.clock() });
}

/** The members with no delegation yet for an event with an open registration. */
export async function missingMembers(eventId: Types.ObjectId): Promise<string[]> {
  const [members, registered] = await Promise.all([listAsemMembers('en'), Delegation.distinct('member', { event: eventId })]);
  const done = new Set(registered.map(String));
  return members.map((m) => m.code).filter((c) => !done.has(c));
}

/**
 * Reminders 14 and 3 days before a delegation deadline, to the liaisons of members that have not
 * registered. Each reminder is claimed by an atomic update of its event (null → now), so several
 * instances (or a run after a crash) never send one twice. Returns how many e-mails were queued.
 */
async function sendDueReminders(deps: EventsDeps): Promise<number> {
  const now = deps.clock();
  let queued = 0;
  const due = await OfficialEvent.find({
    delegationDeadline: trusted({ $gt: now, $lte: new Date(now.getTime() + 14 * DAY_MS) }),
    delegationsLockedAt: null,
  }).lean<OfficialEventDoc[]>();
  for (const event of due) {
    const deadline = event.delegationDeadline!;
    const within3 = deadline.getTime() - now.getTime() <= 3 * DAY_MS;
    const field = within3 ? 'reminder3At' : 'reminder14At';
    // A 3-day reminder also settles the 14-day one (an event created 5 days before its deadline gets one).
    const set: Record<string, Date> = within3 ? { reminder3At: now, ...(event.reminder14At ? {} : { reminder14At: now }) } : { reminder14At: now };
    const claimed = await OfficialEvent.updateOne({ _id: event._id, [field]: null }, { $set: set });
    if (claimed.modifiedCount !== 1) continue;
    const missing = new Set(await missingMembers(event._id));
    const liaisons = (await liaisonsOf()).filter((p) => p.member && missing.has(p.member));
    const days = Math.max(1, Math.ceil((deadline.getTime() - now.getTime()) / DAY_MS));
    for (const person of liaisons) {
      await deps.mailer.notify(person, {
        subject: { key: 'events:mail.reminderSubject', params: { title: event.title[person.language] || event.title.en, count: days } },
        lines: [{ key: 'events:mail.reminderBody', params: { title: event.title[person.language] || event.title.en, count: days } }],
        action: { label: { key: 'events:mail.reminderAction' }, url: `${deps.baseUrl}/events/${String(event._id)}/delegations` },
      });
      queued++;
    }
  }
  return queued;
}

/** The CSV of an event's delegations: one line per delegate (members without one: a line saying so). UTF-8 with BOM for spreadsheet programs. */
export function delegationsCsv(rows: DelegationRow[], header: string[], missingLabel: string): string {
  const cell = (v: string) => {
    const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : '');
  const lines = [header.map(cell).join(',')];
  for (const r of rows) {
    if (!r.delegation) {
      lines.push([r.member, r.memberName, missingLabel, '', '', '', '', ''].map(cell).join(','));
      continue;
    }
    for (const d of r.delegation.delegates) {
      lines.push([r.member, r.memberName, d.name, d.title, d.agency, day(r.delegation.arrival), day(r.delegation.departure), r.delegation.needs].map(cell).join(','));
    }
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

// ---- working documents -----------------------------------------------------------------------------

export async function listDocuments(actor: Actor | undefined, eventId: unknown): Promise<{ event: OfficialEventDoc; documents: WorkingDocumentDoc[] }> {
  const event = await getEvent(actor, eventId);
  // Everyone sees the published ones on a public event; officials see them all.
  const filter: Record<string, unknown> = { event: event._id };
  if (!isOfficial(actor)) filter.publishedVersion = trusted({ $ne: null });
  const documents = await WorkingDocument.find(filter).sort({ createdAt: 1 }).lean<WorkingDocumentDoc[]>();
  return { event, documents };
}

/** A document this reader may see: officials all, everyone else only published ones (on a visible event). */
export async function getDocument(actor: Actor | undefined, eventId: unknown, docId: unknown): Promise<{ event: OfficialEventDoc; document: WorkingDocumentDoc }> {
  const event = await getEvent(actor, eventId);
  if (!isObjectId(docId)) throw new NotFoundError();
  const document = await WorkingDocument.findOne({ _id: new Types.ObjectId(String(docId)), event: event._id }).lean<WorkingDocumentDoc>();
  if (!document) throw new NotFoundError();
  if (!isOfficial(actor) && document.publishedVersion === null) throw new NotFoundError();
  return { event, document };
}

/** The file of one version: officials any version, everyone else only the published one. */
export async function versionFile(actor: Actor | undefined, eventId: unknown, docId: unknown, version: unknown): Promise<StoredFileRef> {
  const { document } = await getDocument(actor, eventId, docId);
  const n = Number(version);
  const v = document.versions.find((x) => x.number === n);
  if (!v) throw new NotFoundError();
  if (!isOfficial(actor) && document.publishedVersion !== n) throw new NotFoundError();
  return v.file;
}

/** The latest versions a document's page shows (each with its file, note and comment count). */
export const VERSIONS_SHOWN = 10;
/** Comments per page under the version being read, oldest first. */
export const COMMENTS_PER_PAGE = 20;

export interface DocumentPage {
  event: OfficialEventDoc;
  /** The document with only its latest VERSIONS_SHOWN versions, newest first. */
  document: WorkingDocumentDoc;
  versions: DocumentVersionDoc[];
  /** How many versions there are in all (versions are numbered 1, 2, ... with none removed). */
  versionCount: number;
  /** Officials only: comments per shown version. */
  commentCounts: Map<number, number>;
  /** Officials only: the version whose comments are shown, and one page of them. */
  selected: { version: number; comments: DocumentCommentDoc[]; page: number; perPage: number; total: number } | null;
}

/**
 * A document's page, bounded however long it has been worked on: the latest versions only (a
 * `$slice` of the embedded list), a count of comments per shown version (one `$group` on the
 * { document, version } index) and one page of one version's comments (the latest version unless
 * `version` names a shown one), oldest first.
 */
export async function documentPage(actor: Actor | undefined, eventId: unknown, docId: unknown, opts: { version?: number | undefined; page?: number | undefined } = {}): Promise<DocumentPage> {
  const event = await getEvent(actor, eventId);
  if (!isObjectId(docId)) throw new NotFoundError();
  const document = await WorkingDocument.findOne({ _id: new Types.ObjectId(String(docId)), event: event._id }, { versions: { $slice: -VERSIONS_SHOWN } }).lean<WorkingDocumentDoc>();
  if (!document) throw new NotFoundError();
  if (!isOfficial(actor) && document.publishedVersion === null) throw new NotFoundError();
  const versions = [...document.versions].reverse();
  const versionCount = versions[0]?.number ?? 0;
  const commentCounts = new Map<number, number>();
  if (!isOfficial(actor) || !versions.length) return { event, document, versions, versionCount, commentCounts, selected: null };
  const shown = versions.map((v) => v.number);
  const groups = await DocumentComment.aggregate<{ _id: number; n: number }>([
    { $match: { document: document._id, version: trusted({ $in: shown }) } },
    { $group: { _id: '$version', n: { $sum: 1 } } },
  ]);
  for (const g of groups) commentCounts.set(g._id, g.n);
  const version = opts.version !== undefined && shown.includes(opts.version) ? opts.version : shown[0]!;
  const total = commentCounts.get(version) ?? 0;
  const pages = Math.max(1, Math.ceil(total / COMMENTS_PER_PAGE));
  const page = Math.min(Math.max(1, opts.page ?? 1), pages);
  const comments = total
    ? await DocumentComment.find({ document: document._id, version }, { authorName: 1, member: 1, body: 1, createdAt: 1, version: 1 })
        .sort({ createdAt: 1 })
        .skip((page - 1) * COMMENTS_PER_PAGE)
        .limit(COMMENTS_PER_PAGE)
        .lean<DocumentCommentDoc[]>()
    : [];
  return { event, document, versions, versionCount, commentCounts, selected: { version, comments, page, perPage: COMMENTS_PER_PAGE, total } };
}

function requireFile(files: UploadedFile[]): UploadedFile {
  if (files.length !== 1) throw new ValidationError({ file: { key: 'events:errors.fileRequired' } });
  return files[0]!;
}

async function notifyNewVersion(deps: EventsDeps, event: OfficialEventDoc, document: WorkingDocumentDoc, version: number): Promise<void> {
  const url = `${deps.baseUrl}/events/${String(event._id)}/documents/${String(document._id)}`;
  for (const person of await liaisonsOf()) {
    await deps.mailer.notify(person, {
      subject: { key: 'events:mail.versionSubject', params: { title: document.title, version } },
      lines: [{ key: 'events:mail.versionBody', params: { title: document.title, version, event: event.title[person.language] || event.title.en } }],
      action: { label: { key: 'events:mail.versionAction' }, url },
    });
  }
}

async function createDocument(deps: EventsDeps, actor: Actor | undefined, eventId: unknown, input: DocumentInput, files: UploadedFile[]): Promise<WorkingDocumentDoc> {
  const event = await officialEvent(actor, eventId);
  assertRole(actor, 'organizer');
  const file = requireFile(files);
  const [stored] = await persistUploads(deps, [file]);
  const now = deps.clock();
  let created;
  try {
    created = await WorkingDocument.create({
      event: event._id,
      kind: input.kind,
      title: input.title,
      commentDeadline: input.commentDeadline ? endOfDay(input.commentDeadline) : null,
      versions: [{ number: 1, file: stored, changeNote: input.note ?? '', uploadedAt: now }],
    });
  } catch (err) {
    await removeStoredFiles(deps, [stored!]);
    throw err;
  }
  const doc = created.toObject();
  await recordAudit({ actor, action: 'event.document.create', targetType: 'workingDocument', targetId: String(doc._id), after: { title: input.title }, at: deps.clock() });
  await notifyNewVersion(deps, event, doc, 1);
  return doc;
}

/** A new version (v2, v3...): the earlier ones are kept. Two uploads at once cannot both become the same number. */
async function addVersion(deps: EventsDeps, actor: Actor | undefined, eventId: unknown, docId: unknown, input: VersionInput, files: UploadedFile[]): Promise<number> {
  const { event, document } = await getDocument(actor, eventId, docId);
  assertRole(actor, 'organizer');
  const file = requireFile(files);
  const [stored] = await persistUploads(deps, [file]);
  const number = document.versions.length + 1;
  const res = await WorkingDocument.updateOne(
    { _id: document._id, versions: trusted({ $size: document.versions.length }) },
    { $push: { versions: { number, file: stored, changeNote: input.note, uploadedAt: deps.clock() } } },
  ).catch(async (err: unknown) => {
    await removeStoredFiles(deps, [stored!]);
    throw err;
  });
  if (res.modifiedCount !== 1) {
    await removeStoredFiles(deps, [stored!]);
    throw new ConflictError('events:errors.versionConflict');
  }
  await recordAudit({ actor, action: 'event.document.version', targetType: 'workingDocument', targetId: String(document._id), after: { version: number }, at: deps.clock() });
  await notifyNewVersion(deps, event, document, number);
  return number;
}

async function addComment(deps: EventsDeps, actor: Actor | undefined, eventId: unknown, docId: unknown, version: unknown, body: string): Promise<{ version: number; page: number }> {
  assertOfficial(actor);
  const { document } = await getDocument(actor, eventId, docId);
  const n = Number(version);
  if (!document.versions.some((v) => v.number === n)) throw new NotFoundError();
  if (!commentsOpen(document, deps.clock())) throw new ValidationError({ body: { key: 'events:errors.commentsClosed' } });
  await DocumentComment.create({ document: document._id, version: n, author: new Types.ObjectId(actor.id), authorName: actor.name, member: actor.member, body, createdAt: deps.clock() });
  // The page of the version's comments that holds the new one (the last): counted on the index.
  const count = await DocumentComment.countDocuments({ document: document._id, version: n });
  return { version: n, page: Math.max(1, Math.ceil(count / COMMENTS_PER_PAGE)) };
}

/** Copies a stored file under a new name (the library's copy of a published version). */
async function copyStored(deps: EventsDeps, ref: StoredFileRef): Promise<StoredFileRef> {
  const opened = await deps.files.open(ref.storedName);
  if (!opened) throw new NotFoundError();
  const dir = tempDir({ config: { uploadDir: deps.uploadDir } });
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `copy-${randomBytes(12).toString('hex')}`);
  try {
    await pipeline(opened.stream, createWriteStream(tmp));
    const [stored] = await persistUploads(deps, [{ tempPath: tmp, originalName: ref.originalName, size: ref.size, kind: ref.kind, mime: ref.mime }]);
    return stored!;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Publishes a version to everyone; it also joins the practice library as a policy document under the host member. */
async function publishVersion(deps: EventsDeps, actor: Actor | undefined, eventId: unknown, docId: unknown, input: PublishInput): Promise<void> {
  const { event, document } = await getDocument(actor, eventId, docId);
  assertRole(actor, 'organizer');
  const version = document.versions.find((v) => v.number === input.version);
  if (!version) throw new ValidationError({ version: { key: 'validation:invalidChoice' } });
  const now = deps.clock();
  const claimed = await WorkingDocument.updateOne({ _id: document._id, publishedVersion: document.publishedVersion }, { $set: { publishedVersion: version.number, publishedAt: now } });
  if (claimed.modifiedCount !== 1) throw new ConflictError('events:errors.versionConflict');
  const copy = await copyStored(deps, version.file);
  try {
    const practiceId = await publishPolicyDocument(
      actor,
      {
        title: document.title,
        summary: input.summary,
        body: `${input.summary}\n\n${event.title.en} — ${event.city}`,
        member: event.hostMember,
        organisation: event.title.en,
        language: 'en',
        file: copy,
      },
      now,
    );
    await WorkingDocument.updateOne({ _id: document._id }, { $set: { practiceId: new Types.ObjectId(practiceId) } });
  } catch (err) {
    await removeStoredFiles(deps, [copy]);
    throw err;
  }
  await recordAudit({ actor, action: 'event.document.publish', targetType: 'workingDocument', targetId: String(document._id), after: { version: version.number }, at: deps.clock() });
}

export function createEventsService(deps: EventsDeps) {
  return {
    createEvent: (actor: Actor, input: EventInput) => createEvent(deps, actor, input),
    updateEvent: (actor: Actor, id: unknown, input: EventInput) => updateEvent(deps, actor, id, input),
    feedToken: (actor: Actor | undefined) => feedToken(deps, actor),
    regenerateFeedToken: (actor: Actor | undefined) => regenerateFeedToken(deps, actor),
    registerDelegation: (actor: Actor | undefined, eventId: unknown, input: DelegationInput) => registerDelegation(deps, actor, eventId, input),
    delegationList,
    lockDelegations: (actor: Actor | undefined, eventId: unknown) => lockDelegations(deps, actor, eventId),
    sendDueReminders: () => sendDueReminders(deps),
    createDocument: (actor: Actor | undefined, eventId: unknown, input: DocumentInput, files: UploadedFile[]) => createDocument(deps, actor, eventId, input, files),
    addVersion: (actor: Actor | undefined, eventId: unknown, docId: unknown, input: VersionInput, files: UploadedFile[]) => addVersion(deps, actor, eventId, docId, input, files),
    addComment: (actor: Actor | undefined, eventId: unknown, docId: unknown, version: unknown, body: string) => addComment(deps, actor, eventId, docId, version, body),
    publishVersion: (actor: Actor | undefined, eventId: unknown, docId: unknown, input: PublishInput) => publishVersion(deps, actor, eventId, docId, input),
    now: () => deps.clock(),
  };
}
export type EventsService = ReturnType<typeof createEventsService>;
