/**
 * Test data for the agenda, invitations, grid and outcomes, written straight through the models:
 * the seeded edition's meeting sessions, participants, a request and a booked meeting.
 */
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { currentEdition } from '../../../src/modules/fair';
import { Meeting, MeetingParticipant, MeetingRequest, MeetingSettings, type MeetingDoc, type MeetingSettingsDoc } from '../../../src/modules/meetings/model';
import { localDate, zonedToUtc } from '../../../src/modules/meetings/slots';
import { makeUser, type MadeUser } from '../../helpers/factories';

export const DAY1 = '2027-10-15';
export const DAY2 = '2027-10-16';

export async function sessions(opts: { timeZone?: string; tableCount?: number } = {}): Promise<MeetingSettingsDoc> {
  const edition = await currentEdition();
  if (!edition) throw new Error('no current edition');
  const existing = await MeetingSettings.findOne({ edition: edition._id }).lean<MeetingSettingsDoc>();
  if (existing) return existing;
  const created = await MeetingSettings.create({
    edition: edition._id,
    timeZone: opts.timeZone ?? 'Asia/Shanghai',
    days: [DAY1, DAY2].map((date) => ({ date, windows: [{ start: '09:00', end: '12:00' }] })),
    slotMinutes: 30,
    breakMinutes: 0,
    tableCount: opts.tableCount ?? 10,
    registrationOpensAt: new Date('2027-01-01T00:00:00Z'),
    registrationClosesAt: new Date('2027-10-14T00:00:00Z'),
    dailyCap: 8,
  });
  return created.toObject();
}

export interface Person extends MadeUser {
  participant: Types.ObjectId;
  companyName: string;
}

export async function participant(settings: MeetingSettingsDoc, opts: { member: string; language?: 'en' | 'zh-CN'; kind?: 'exhibitor' | 'visitor'; company?: string; booth?: string }): Promise<Person> {
  const companyName = opts.company ?? `${opts.member} Company ${randomBytes(2).toString('hex')}`;
  const user = await makeUser({ member: opts.member, language: opts.language ?? 'en', company: { name: companyName } });
  const p = await MeetingParticipant.create({
    edition: settings.edition,
    user: new Types.ObjectId(user.id),
    company: new Types.ObjectId(user.companyId!),
    member: opts.member,
    kind: opts.kind ?? 'visitor',
    name: user.name,
    companyName,
    days: [DAY1, DAY2],
    booths: opts.booth ? [opts.booth] : [],
    meetAtBooth: Boolean(opts.booth),
  });
  return { ...user, participant: p._id, companyName };
}

/** A booked meeting between a (asked) and b (accepted) at a local time of a meeting day. */
export async function meeting(settings: MeetingSettingsDoc, a: Person, b: Person, opts: { day?: string; time?: string; table?: number | null; booth?: string | null; sequence?: number } = {}): Promise<MeetingDoc> {
  const day = opts.day ?? DAY1;
  const startsAt = zonedToUtc(day, opts.time ?? '10:00', settings.timeZone);
  const endsAt = new Date(startsAt.getTime() + settings.slotMinutes * 60_000);
  const request = await MeetingRequest.create({
    edition: settings.edition,
    from: a.participant,
    to: b.participant,
    fromUser: new Types.ObjectId(a.id),
    toUser: new Types.ObjectId(b.id),
    slots: [startsAt],
    awaiting: new Types.ObjectId(b.id),
    state: 'accepted',
    expiresAt: startsAt,
  });
  const table = opts.booth ? null : opts.table === undefined ? 1 : opts.table;
  const side = (p: Person) => ({ participant: p.participant, user: new Types.ObjectId(p.id), company: new Types.ObjectId(p.companyId!), member: p.member!, name: p.name, companyName: p.companyName });
  const created = await Meeting.create({
    edition: settings.edition,
    request: request._id,
    sides: [side(a), side(b)],
    startsAt,
    endsAt,
    day: localDate(startsAt, settings.timeZone),
    table,
    booth: opts.booth ?? null,
    holders: [`u:${a.id}`, `u:${b.id}`, table !== null ? `t:${table}` : `b:${opts.booth}`],
    status: 'booked',
    uid: `meeting-${randomBytes(8).toString('hex')}@asem-sme-exchange`,
    sequence: opts.sequence ?? 0,
  });
  await MeetingRequest.updateOne({ _id: request._id }, { $set: { meeting: created._id } });
  return created.toObject();
}

/** A pending request only (counts as requested, not accepted). */
export async function pendingRequest(settings: MeetingSettingsDoc, a: Person, b: Person): Promise<void> {
  const startsAt = zonedToUtc(DAY2, '11:00', settings.timeZone);
  await MeetingRequest.create({
    edition: settings.edition,
    from: a.participant,
    to: b.participant,
    fromUser: new Types.ObjectId(a.id),
    toUser: new Types.ObjectId(b.id),
    slots: [startsAt],
    awaiting: new Types.ObjectId(b.id),
    state: 'pending',
    expiresAt: startsAt,
  });
}
