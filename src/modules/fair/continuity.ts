/**
 * Continuity between editions: a new edition starts from the last one's hall (booths copied in
 * bulk), last edition's exhibitors are invited back by e-mail (once per company per edition, the
 * claim being a unique invitation document written before the e-mail), and a returning
 * exhibitor's request form opens pre-filled from its last request (nothing stored until sent).
 */
import { Types, trusted } from 'mongoose';
import type { Actor } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError, assertRole, isDuplicateKeyError } from '../../kernel';
import type { MailContent } from '../../web/mail';
import { localized } from '../../web/i18n';
import { recordAudit } from '../audit';
import { reachablePeople } from '../accounts';
import { outsideRequest } from '../../web/time-limit';
import type { FairDeps } from './deps';
import { createEdition, findEdition, requestWindowOpen, type NewEditionInput } from './editions';
import { Booth, BoothRequest, FairEdition, type BoothDoc, type BoothRequestDoc, type FairEditionDoc } from './model';
import { ReturnInvitation } from './continuity-model';

/** The statuses of a request whose company held booths at the edition. */
export const EXHIBITOR_STATUSES = ['approved', 'confirmed'] as const;

/** The latest edition of all (what a new edition starts from), or null on a fresh portal. */
export async function latestEdition(): Promise<FairEditionDoc | null> {
  return FairEdition.findOne().sort({ startsOn: -1, year: -1 }).lean<FairEditionDoc>();
}

/** The edition before this one: the one it was started from, else the latest that began earlier. */
export async function previousEditionOf(edition: Pick<FairEditionDoc, '_id' | 'startsOn' | 'copiedFrom'>): Promise<FairEditionDoc | null> {
  if (edition.copiedFrom) {
    const source = await FairEdition.findById(edition.copiedFrom).lean<FairEditionDoc>();
    if (source) return source;
  }
  return FairEdition.findOne({ _id: trusted({ $ne: edition._id }), startsOn: trusted({ $lt: edition.startsOn }) })
    .sort({ startsOn: -1 })
    .lean<FairEditionDoc>();
}

// ---------------------------------------------------------------------------------------------
// The hall

/** A bulk insert refused only because some documents were there already. */
function onlyDuplicates(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
  if (Array.isArray(writeErrors) && writeErrors.length) return writeErrors.every((e) => (e.code ?? e.err?.code) === 11000);
  return isDuplicateKeyError(err);
}

/**
 * Copies every booth of `source` (code, position, size, features) into `target`, in one bulk
 * insert. Repeating it adds nothing: the unique (edition, code) index refuses the booths already
 * there, and the others still go in. Requests and assignments are never copied.
 */
export async function copyHall(deps: Pick<FairDeps, 'clock'>, actor: Actor, targetId: Types.ObjectId, sourceId: Types.ObjectId): Promise<number> {
  assertRole(actor, 'organizer');
  if (String(targetId) === String(sourceId)) throw new ConflictError('fair:errors.copySameEdition');
  const booths = await Booth.find({ edition: sourceId }, { _id: 0, code: 1, x: 1, y: 1, width: 1, depth: 1, features: 1 }).lean<Omit<BoothDoc, '_id' | 'edition'>[]>();
  const before = await Booth.countDocuments({ edition: targetId });
  if (booths.length) {
    try {
      await Booth.insertMany(
        booths.map((b) => ({ edition: targetId, code: b.code, x: b.x, y: b.y, width: b.width, depth: b.depth, features: b.features })),
        { ordered: false },
      );
    } catch (err) {
      if (!onlyDuplicates(err)) throw err;
    }
  }
  const inserted = (await Booth.countDocuments({ edition: targetId })) - before;
  await recordAudit({ actor, action: 'fair.edition.copyHall', targetType: 'FairEdition', targetId: String(targetId), after: { from: String(sourceId), booths: inserted }, at: deps.clock() });
  return inserted;
}

// ---------------------------------------------------------------------------------------------
// Invitations

/** The requests through which companies held booths at an edition, the latest one per company. */
export async function exhibitorRequests(editionId: Types.ObjectId): Promise<BoothRequestDoc[]> {
  const rows = await BoothRequest.find({ edition: editionId, status: trusted({ $in: [...EXHIBITOR_STATUSES] }) }, { timeline: 0 })
    .sort({ updatedAt: -1 })
    .lean<BoothRequestDoc[]>();
  const byCompany = new Map<string, BoothRequestDoc>();
  for (const r of rows) if (!byCompany.has(String(r.company))) byCompany.set(String(r.company), r);
  return [...byCompany.values()].sort((a, b) => a.companyName.localeCompare(b.companyName));
}

export interface InvitationSummary {
  previous: FairEditionDoc | null;
  exhibitors: number;
  invited: number;
  windowOpen: boolean;
}

export async function invitationSummary(edition: FairEditionDoc, now: Date): Promise<InvitationSummary> {
  const previous = await previousEditionOf(edition);
  const exhibitors = previous ? (await exhibitorRequests(previous._id)).length : 0;
  const invited = await ReturnInvitation.countDocuments({ edition: edition._id });
  return { previous, exhibitors, invited, windowOpen: requestWindowOpen(edition, now) };
}

export interface InvitationResult {
  sent: number;
  already: number;
  unreachable: number;
}

export function invitationMail(p: { company: string; edition: FairEditionDoc; previous: FairEditionDoc; url: string }, lang: 'en' | 'zh-CN'): MailContent {
  const params = { company: p.company, edition: localized(p.edition.name, lang), previous: localized(p.previous.name, lang) };
  return {
    subject: { key: 'fair:mail.invite.subject', params },
    lines: [{ key: 'fair:mail.invite.body', params }, { key: 'fair:mail.invite.prefilled' }],
    action: { label: { key: 'fair:mail.invite.action' }, url: p.url },
  };
}

/**
 * E-mails every company that held booths at the previous edition, each in its person's language,
 * with a link to the request form. A company is claimed by inserting its invitation document
 * (unique per edition and company) before its e-mail is written, so pressing the button twice, or
 * two organizers at once, sends each company one e-mail.
 */
export async function inviteReturningExhibitors(deps: FairDeps, actor: Actor, editionId: string): Promise<InvitationResult> {
  assertRole(actor, 'organizer');
  const edition = await findEdition(editionId);
  const now = deps.clock();
  if (!requestWindowOpen(edition, now)) throw new ConflictError('fair:errors.inviteNotOpen');
  const previous = await previousEditionOf(edition);
  if (!previous) throw new ConflictError('fair:errors.noPreviousEdition');
  const url = `${deps.baseUrl}/fair/requests/new`;
  const exhibitors = await exhibitorRequests(previous._id);
  const people = new Map((await reachablePeople(exhibitors.map((r) => r.requester))).map((p) => [p.id, p]));
  // Each claim is followed by its e-mail even if the request runs out of time meanwhile: the
  // sending runs outside the request's time limit, so no company is claimed without its e-mail.
  const result = await outsideRequest(async () => {
    const out: InvitationResult = { sent: 0, already: 0, unreachable: 0 };
    for (const r of exhibitors) {
      const person = people.get(String(r.requester));
      if (!person) {
        out.unreachable++;
        continue;
      }
      try {
        await ReturnInvitation.create({ edition: edition._id, company: r.company, fromEdition: previous._id, recipient: new Types.ObjectId(person.id), invitedBy: new Types.ObjectId(actor.id), at: now });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        out.already++;
        continue;
      }
      await deps.mailer.notify({ email: person.email, name: person.name, language: person.language }, invitationMail({ company: r.companyName, edition, previous, url }, person.language));
      out.sent++;
    }
    return out;
  });
  await recordAudit({ actor, action: 'fair.invitations.send', targetType: 'FairEdition', targetId: String(edition._id), after: { from: String(previous._id), ...result }, at: now });
  return result;
}

// ---------------------------------------------------------------------------------------------
// The pre-filled request form

export interface Prefill {
  from: FairEditionDoc;
  values: Record<string, string>;
}

/**
 * The form's values from the company's last request at an earlier edition where it exhibited:
 * contact, phone, products, booth count, the wished booths that exist in this hall, special needs
 * (never the brochure). Null for a company that has not exhibited before.
 */
export async function prefillFromLastRequest(companyId: string | null, edition: FairEditionDoc): Promise<Prefill | null> {
  if (!companyId || !Types.ObjectId.isValid(companyId)) return null;
  const earlier = await FairEdition.find({ startsOn: trusted({ $lt: edition.startsOn }) }, { _id: 1 }).lean();
  if (!earlier.length) return null;
  const last = await BoothRequest.findOne(
    { company: new Types.ObjectId(companyId), edition: trusted({ $in: earlier.map((e) => e._id) }), status: trusted({ $in: [...EXHIBITOR_STATUSES] }) },
    { timeline: 0 },
  )
    .sort({ createdAt: -1 })
    .lean<BoothRequestDoc>();
  if (!last) return null;
  const from = await FairEdition.findById(last.edition).lean<FairEditionDoc>();
  if (!from) throw new NotFoundError();
  const wished = last.wishedCodes.length ? await Booth.find({ edition: edition._id, code: trusted({ $in: last.wishedCodes }) }, { code: 1 }).lean() : [];
  const existing = new Set(wished.map((b) => b.code));
  return {
    from,
    values: {
      contactName: last.contactName,
      phone: last.phone,
      products: last.products,
      boothCount: String(last.boothCount),
      wishedCodes: last.wishedCodes.filter((c) => existing.has(c)).join(', '),
      specialNeeds: last.specialNeeds,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A new edition from the last one

/**
 * Creates an edition; with `copyFrom`, it starts from that edition's hall (its quotas come in
 * through the form, which opens filled with them) and remembers it as its previous edition.
 */
export async function createEditionFrom(deps: Pick<FairDeps, 'clock'>, actor: Actor, input: NewEditionInput): Promise<{ edition: FairEditionDoc; copied: number }> {
  assertRole(actor, 'organizer');
  const source = input.copyFrom ? await FairEdition.findById(new Types.ObjectId(input.copyFrom)).lean<FairEditionDoc>() : null;
  if (input.copyFrom && !source) throw new ValidationError({ copyFrom: { key: 'validation:invalidChoice' } });
  const edition = await createEdition(deps, actor, input, source?._id ?? null);
  const copied = source ? await copyHall(deps, actor, edition._id, source._id) : 0;
  return { edition, copied };
}

/** The new-edition form's values when it starts from `source`: its quotas, ready to adjust. */
export function startingValues(source: FairEditionDoc | null, year: number): Record<string, string | number> {
  const values: Record<string, string | number> = { year, status: 'draft', defaultQuota: 3, startsOn: `${year}-09-15`, endsOn: `${year}-09-18` };
  if (!source) return values;
  return {
    ...values,
    defaultQuota: source.defaultQuota,
    quotaOverrides: source.quotaOverrides.map((o) => `${o.member}=${o.quota}`).join('\n'),
    copyFrom: String(source._id),
  };
}
