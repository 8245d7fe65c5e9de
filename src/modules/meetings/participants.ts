/**
 * Participants of an edition's meetings: exhibitors (approved or confirmed booth requests) take part
 * automatically — their record is made on demand from the fair's exhibitor list — and any verified
 * SME or liaison registers as a visitor within the registration window, with the days it attends
 * and what it wants to discuss. A participant can mark slots unavailable.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, isDuplicateKeyError, isObjectId, objectIdOr404 } from '../../kernel';
import { fields } from '../../web/forms';
import { ownCompany, publicProfiles } from '../accounts';
import { exhibitorsOf } from '../fair';
import { MeetingParticipant, PARTICIPANT_KINDS, type MeetingParticipantDoc, type MeetingSettingsDoc, type ParticipantKind } from './model';
import { slotAt } from './slots';

export const TOPICS_MAX = 2000;

export const RegistrationForm = z.object({
  days: fields.list(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'validation:invalidChoice')).pipe(z.array(z.string()).max(31)),
  topics: fields.optionalText(TOPICS_MAX),
  meetAtBooth: fields.checkbox(),
});
export type RegistrationInput = z.infer<typeof RegistrationForm>;

export const UnavailableForm = z.object({
  slot: fields.list(z.string().max(40)).pipe(z.array(z.string()).max(500)),
});

export function registrationOpen(settings: Pick<MeetingSettingsDoc, 'registrationOpensAt' | 'registrationClosesAt'>, now: Date): boolean {
  return settings.registrationOpensAt <= now && now <= settings.registrationClosesAt;
}

/** Whether a participant attends a meeting day (exhibitors attend every day). */
export function attends(p: Pick<MeetingParticipantDoc, 'kind' | 'days'>, day: string): boolean {
  return p.kind === 'exhibitor' || p.days.includes(day);
}

/** Makes (or refreshes) the records of the edition's exhibitors; those whose booth request no longer holds stop taking part. */
export async function syncExhibitors(editionId: Types.ObjectId): Promise<void> {
  const exhibitors = await exhibitorsOf(editionId);
  const names = await publicProfiles(exhibitors.map((e) => e.requester));
  for (const e of exhibitors) {
    try {
      await MeetingParticipant.updateOne(
        { edition: editionId, user: new Types.ObjectId(e.requester) },
        {
          $set: { kind: 'exhibitor', company: new Types.ObjectId(e.company), companyName: e.companyName, member: e.member, booths: e.boothCodes },
          $setOnInsert: { name: names.get(e.requester)?.name ?? e.companyName, days: [], topics: '', unavailable: [], meetAtBooth: false, active: true },
        },
        { upsert: true },
      );
    } catch (err) {
      // Two first looks at once: the other made the record.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  await MeetingParticipant.updateMany(
    { edition: editionId, kind: 'exhibitor', active: true, user: trusted({ $nin: exhibitors.map((e) => new Types.ObjectId(e.requester)) }) },
    { $set: { active: false } },
  );
}

/** The actor's own record for the edition (active or withdrawn), or null. */
export async function ownParticipant(actor: Actor, editionId: Types.ObjectId): Promise<MeetingParticipantDoc | null> {
  await syncExhibitors(editionId);
  return MeetingParticipant.findOne({ edition: editionId, user: new Types.ObjectId(actor.id) }).lean<MeetingParticipantDoc>();
}

/** An active participant of the edition by id, or 404. */
export async function findParticipant(editionId: Types.ObjectId, id: unknown): Promise<MeetingParticipantDoc> {
  const _id = id instanceof Types.ObjectId ? id : objectIdOr404(id);
  await syncExhibitors(editionId);
  const found = await MeetingParticipant.findOne({ _id, edition: editionId, active: true }).lean<MeetingParticipantDoc>();
  if (!found) throw new NotFoundError();
  return found;
}

function mayRegister(actor: Actor | undefined): asserts actor is Actor {
  if (!actor) throw new UnauthenticatedError();
  if (actor.role === 'member' && actor.companyId && isObjectId(actor.companyId)) return;
  if (actor.role === 'liaison' && actor.member) return;
  throw new ForbiddenError('meetings:errors.mayNotRegister');
}

/** Registers (or edits the registration of) the actor; exhibitors keep every day and may meet at their booth. */
export async function register(actor: Actor | undefined, settings: MeetingSettingsDoc, input: RegistrationInput, now: Date): Promise<MeetingParticipantDoc> {
  mayRegister(actor);
  if (!registrationOpen(settings, now)) throw new ValidationError({ _form: { key: 'meetings:errors.registrationClosed' } });
  const existing = await ownParticipant(actor, settings.edition);
  const meetingDays = new Set(settings.days.map((d) => d.date));
  const days = [...new Set(input.days)].sort();
  if (days.some((d) => !meetingDays.has(d))) throw new ValidationError({ days: { key: 'validation:invalidChoice' } });
  const isExhibitor = existing?.kind === 'exhibitor';
  if (!isExhibitor && !days.length) throw new ValidationError({ days: { key: 'meetings:errors.chooseDay' } });
  if (existing) {
    const updated = await MeetingParticipant.findOneAndUpdate(
      { _id: existing._id },
      { $set: { days: isExhibitor ? [] : days, topics: input.topics ?? '', meetAtBooth: isExhibitor && existing.booths.length > 0 && input.meetAtBooth, active: true } },
      { returnDocument: 'after' },
    ).lean<MeetingParticipantDoc>();
    return updated!;
  }
  const company = actor.role === 'member' ? await ownCompany(actor) : null;
  if (actor.role === 'member' && !company) throw new ForbiddenError('meetings:errors.mayNotRegister');
  const kind: ParticipantKind = actor.role === 'liaison' ? 'liaison' : 'visitor';
  try {
    const created = await MeetingParticipant.create({
      edition: settings.edition,
      user: new Types.ObjectId(actor.id),
      company: company ? new Types.ObjectId(company.id) : null,
      member: company?.member ?? actor.member!,
      kind,
      name: actor.name,
      companyName: company?.name ?? '',
      days,
      topics: input.topics ?? '',
      unavailable: [],
      booths: [],
      meetAtBooth: false,
      active: true,
    });
    return created.toObject() as MeetingParticipantDoc;
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ValidationError({ _form: { key: 'meetings:errors.alreadyRegistered' } });
    throw err;
  }
}

/** Replaces the actor's unavailable slots; each must be a slot of the sessions. */
export async function setUnavailable(actor: Actor | undefined, settings: MeetingSettingsDoc, slots: string[]): Promise<number> {
  if (!actor) throw new UnauthenticatedError();
  const own = await ownParticipant(actor, settings.edition);
  if (!own || !own.active) throw new ForbiddenError('meetings:errors.notParticipant');
  const starts: Date[] = [];
  for (const value of new Set(slots)) {
    const at = new Date(value);
    if (Number.isNaN(at.getTime()) || !slotAt(settings, at)) throw new ValidationError({ slot: { key: 'meetings:errors.slotNotInSessions' } });
    starts.push(at);
  }
  starts.sort((a, b) => a.getTime() - b.getTime());
  await MeetingParticipant.updateOne({ _id: own._id }, { $set: { unavailable: starts } });
  return starts.length;
}

export interface ParticipantFilters {
  member?: string | undefined;
  kind?: string | undefined;
  day?: string | undefined;
  q?: string | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function listParticipants(editionId: Types.ObjectId, filters: ParticipantFilters, page: { skip: number; perPage: number }): Promise<{ rows: MeetingParticipantDoc[]; total: number }> {
  await syncExhibitors(editionId);
  const filter: Record<string, unknown> = { edition: editionId, active: true };
  if (filters.member && /^[A-Za-z0-9-]{2,12}$/.test(filters.member)) filter.member = filters.member.toUpperCase();
  if (filters.kind && (PARTICIPANT_KINDS as readonly string[]).includes(filters.kind)) filter.kind = filters.kind;
  const and: Record<string, unknown>[] = [];
  if (filters.day && /^\d{4}-\d{2}-\d{2}$/.test(filters.day)) and.push({ $or: [{ kind: 'exhibitor' }, { days: filters.day }] });
  const q = (filters.q ?? '').trim().slice(0, 100);
  if (q) {
    const re = new RegExp(escapeRegExp(q), 'i');
    and.push({ $or: [{ name: re }, { companyName: re }, { topics: re }] });
  }
  if (and.length) filter.$and = trusted(and);
  const [rows, total] = await Promise.all([
    MeetingParticipant.find(filter).sort({ companyName: 1, name: 1 }).skip(page.skip).limit(page.perPage).lean<MeetingParticipantDoc[]>(),
    MeetingParticipant.countDocuments(filter),
  ]);
  return { rows, total };
}
