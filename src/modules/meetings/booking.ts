/**
 * Meeting requests and booked meetings. A request offers slots the portal found free for both sides;
 * the side it awaits accepts one, declines or proposes others. Accepting books slot and place
 * atomically without transactions:
 *   1. one insert of a Meeting whose `holders` are both people and the place (`t:<table>`, trying
 *      the tables in order, or `b:<booth>`): the unique index refuses a second booked meeting for
 *      the same person or place at the same start;
 *   2. the daily cap: one counter per (edition, person, day), raised by a conditional `$inc` only
 *      while below the cap (if it is reached, the meeting is deleted and the counts given back);
 *   3. the request moves pending → accepted by a conditional update; if that loses (cancelled or
 *      accepted at the same moment), the meeting is deleted and the counts given back.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor, Clock } from '../../kernel';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError, isDuplicateKeyError, objectIdOr404 } from '../../kernel';
import { fields } from '../../web/forms';
import type { Mailer } from '../../web/mail';
import { reachablePerson } from '../accounts';
import { isBlockedBetween } from '../partners';
import type { MeetingInvitations } from './contract';
import {
  Meeting,
  MeetingDayCount,
  MeetingParticipant,
  MeetingRequest,
  type MeetingDoc,
  type MeetingParticipantDoc,
  type MeetingRequestDoc,
  type MeetingSettingsDoc,
} from './model';
import { attends, findParticipant, ownParticipant, registrationOpen } from './participants';
import { settingsOf } from './settings';
import { slotAt, slotsOf, type Slot } from './slots';

export const MESSAGE_MAX = 1000;
export const REASON_MAX = 300;
export const MAX_OFFERED_SLOTS = 20;

export interface BookingDeps {
  clock: Clock;
  mailer: Mailer;
  baseUrl: string;
  invitations: MeetingInvitations;
}

const slotList = fields.list(z.string().max(40)).pipe(z.array(z.string()).min(1, 'meetings:errors.chooseSlot').max(MAX_OFFERED_SLOTS));
export const RequestForm = z.object({ slot: slotList, message: fields.optionalText(MESSAGE_MAX) });
export const ProposeForm = z.object({ slot: slotList, message: fields.optionalText(MESSAGE_MAX) });
export const AcceptForm = z.object({ slot: z.string().min(1, 'meetings:errors.chooseSlot').max(40) });
export const DeclineForm = z.object({ reason: fields.optionalText(REASON_MAX) });
export type RequestInput = z.infer<typeof RequestForm>;

const userKey = (user: Types.ObjectId | string) => `u:${String(user)}`;

/** Where two participants would meet: the visited exhibitor's booth if it meets there, else a table. */
export function boothFor(from: MeetingParticipantDoc, to: MeetingParticipantDoc): string | null {
  if (to.kind === 'exhibitor' && to.meetAtBooth && to.booths.length) return to.booths[0]!;
  if (from.kind === 'exhibitor' && from.meetAtBooth && from.booths.length) return from.booths[0]!;
  return null;
}

interface Occupancy {
  /** Starts (ms) at which each person is booked, and their booked meetings per day. */
  busy: Map<string, { starts: Set<number>; perDay: Map<string, number> }>;
  /** Per start (ms): tables in use and booths in use. */
  places: Map<number, { tables: number; booths: Set<string> }>;
}

async function occupancy(editionId: Types.ObjectId, users: string[]): Promise<Occupancy> {
  const booked = await Meeting.find({ edition: editionId, status: 'booked' }, { startsAt: 1, day: 1, table: 1, booth: 1, holders: 1 }).lean<MeetingDoc[]>();
  const busy: Occupancy['busy'] = new Map(users.map((u) => [u, { starts: new Set<number>(), perDay: new Map<string, number>() }]));
  const places: Occupancy['places'] = new Map();
  for (const m of booked) {
    const at = m.startsAt.getTime();
    const place = places.get(at) ?? { tables: 0, booths: new Set<string>() };
    if (m.table !== null) place.tables++;
    if (m.booth) place.booths.add(m.booth);
    places.set(at, place);
    for (const u of users) {
      if (!m.holders.includes(userKey(u))) continue;
      const b = busy.get(u)!;
      b.starts.add(at);
      b.perDay.set(m.day, (b.perDay.get(m.day) ?? 0) + 1);
    }
  }
  return { busy, places };
}

type SlotVerdict = 'free' | 'started' | 'notAttending' | 'unavailable' | 'booked' | 'dailyCap' | 'noPlace';

function verdict(settings: MeetingSettingsDoc, a: MeetingParticipantDoc, b: MeetingParticipantDoc, slot: Slot, occ: Occupancy, now: Date): SlotVerdict {
  const at = slot.startsAt.getTime();
  if (at <= now.getTime()) return 'started';
  if (!attends(a, slot.day) || !attends(b, slot.day)) return 'notAttending';
  if ([a, b].some((p) => p.unavailable.some((u) => u.getTime() === at))) return 'unavailable';
  const busyA = occ.busy.get(String(a.user))!;
  const busyB = occ.busy.get(String(b.user))!;
  if (busyA.starts.has(at) || busyB.starts.has(at)) return 'booked';
  if ((busyA.perDay.get(slot.day) ?? 0) >= settings.dailyCap || (busyB.perDay.get(slot.day) ?? 0) >= settings.dailyCap) return 'dailyCap';
  const place = occ.places.get(at) ?? { tables: 0, booths: new Set<string>() };
  const booth = boothFor(a, b);
  if (booth ? place.booths.has(booth) : place.tables >= settings.tableCount) return 'noPlace';
  return 'free';
}

/** The slots where both can meet: both attend, neither booked nor unavailable, not started, a place free, neither at the cap. */
export async function sharedFreeSlots(settings: MeetingSettingsDoc, a: MeetingParticipantDoc, b: MeetingParticipantDoc, now: Date): Promise<Slot[]> {
  const occ = await occupancy(settings.edition, [String(a.user), String(b.user)]);
  return slotsOf(settings).filter((s) => verdict(settings, a, b, s, occ, now) === 'free');
}

const VERDICT_KEYS: Record<Exclude<SlotVerdict, 'free'>, string> = {
  started: 'meetings:errors.slotStarted',
  notAttending: 'meetings:errors.slotNotFree',
  unavailable: 'meetings:errors.slotNotFree',
  booked: 'meetings:errors.slotNotFree',
  dailyCap: 'meetings:errors.dailyCap',
  noPlace: 'meetings:errors.noPlace',
};

/** The offered slots as dates, each checked; refused with the first problem's message. */
async function checkOffered(settings: MeetingSettingsDoc, a: MeetingParticipantDoc, b: MeetingParticipantDoc, values: string[], now: Date): Promise<Date[]> {
  const occ = await occupancy(settings.edition, [String(a.user), String(b.user)]);
  const out: Date[] = [];
  for (const value of new Set(values)) {
    const at = new Date(value);
    const slot = Number.isNaN(at.getTime()) ? null : slotAt(settings, at);
    if (!slot) throw new ValidationError({ slot: { key: 'meetings:errors.slotNotInSessions' } });
    const v = verdict(settings, a, b, slot, occ, now);
    if (v !== 'free') throw new ValidationError({ slot: { key: VERDICT_KEYS[v] } });
    out.push(slot.startsAt);
  }
  return out.sort((x, y) => x.getTime() - y.getTime());
}

async function settingsFor(editionId: Types.ObjectId): Promise<MeetingSettingsDoc> {
  const settings = await settingsOf(editionId);
  if (!settings) throw new NotFoundError();
  return settings;
}

function requireOpen(settings: MeetingSettingsDoc, now: Date): void {
  if (!registrationOpen(settings, now)) throw new ValidationError({ _form: { key: 'meetings:errors.registrationClosed' } });
}

async function refuseBlocked(a: MeetingParticipantDoc, b: MeetingParticipantDoc): Promise<void> {
  if (a.company && b.company && (await isBlockedBetween(String(a.company), String(b.company)))) throw new ValidationError({ _form: { key: 'meetings:errors.blocked' } });
}

function refuseSelf(a: MeetingParticipantDoc, b: MeetingParticipantDoc): void {
  if (String(a.user) === String(b.user) || (a.company && b.company && String(a.company) === String(b.company))) throw new ValidationError({ _form: { key: 'meetings:errors.self' } });
}

async function tell(deps: BookingDeps, userId: Types.ObjectId, kind: 'request' | 'proposed' | 'declined', params: Record<string, string>, quote: string, requestId: Types.ObjectId): Promise<void> {
  const person = await reachablePerson(userId);
  if (!person) return;
  await deps.mailer.notify(person, {
    subject: { key: `meetings:emails.${kind}.subject`, params },
    lines: [{ key: `meetings:emails.${kind}.body`, params }, ...(quote ? [{ quote }] : [])],
    action: { label: { key: 'meetings:emails.openRequest' }, url: `${deps.baseUrl}/fair/meetings/requests/${String(requestId)}` },
  });
}

function who(p: MeetingParticipantDoc): string {
  return p.companyName ? `${p.name} (${p.companyName})` : p.name;
}

/** Sends a meeting request from the actor to a participant, offering one or more shared free slots. */
export async function sendRequest(deps: BookingDeps, actor: Actor | undefined, settings: MeetingSettingsDoc, toId: unknown, input: RequestInput): Promise<MeetingRequestDoc> {
  if (!actor) throw new UnauthenticatedError();
  const now = deps.clock();
  const to = await findParticipant(settings.edition, toId);
  const from = await ownParticipant(actor, settings.edition);
  if (!from || !from.active) throw new ValidationError({ _form: { key: 'meetings:errors.notParticipant' } });
  requireOpen(settings, now);
  refuseSelf(from, to);
  await refuseBlocked(from, to);
  const slots = await checkOffered(settings, from, to, input.slot, now);
  const created = await MeetingRequest.create({
    edition: settings.edition,
    from: from._id,
    to: to._id,
    fromUser: from.user,
    toUser: to.user,
    slots,
    awaiting: to.user,
    message: input.message ?? '',
    state: 'pending',
    expiresAt: slots[slots.length - 1]!,
    history: [{ at: now, action: 'requested', by: from.user, slots, note: '' }],
  });
  await tell(deps, to.user, 'request', { name: who(from) }, input.message ?? '', created._id);
  return created.toObject() as MeetingRequestDoc;
}

/** A request the actor is a party to, or 404 (forged ids and other people's requests alike). */
export async function requestOf(actor: Actor | undefined, id: unknown): Promise<MeetingRequestDoc> {
  if (!actor) throw new UnauthenticatedError();
  const _id = id instanceof Types.ObjectId ? id : objectIdOr404(id);
  const me = new Types.ObjectId(actor.id);
  const found = await MeetingRequest.findOne({ _id, $or: [{ fromUser: me }, { toUser: me }] }).lean<MeetingRequestDoc>();
  if (!found) throw new NotFoundError();
  return found;
}

/** A pending request whose last offered slot has started is expired, whether or not the scheduled work ran yet. */
export function effectiveState(r: Pick<MeetingRequestDoc, 'state' | 'expiresAt'>, now: Date): MeetingRequestDoc['state'] {
  return r.state === 'pending' && r.expiresAt.getTime() <= now.getTime() ? 'expired' : r.state;
}

async function markExpired(r: MeetingRequestDoc, now: Date): Promise<void> {
  await MeetingRequest.updateOne({ _id: r._id, state: 'pending' }, { $set: { state: 'expired' }, $push: { history: { at: now, action: 'expired', by: null, slots: [], note: '' } } });
}

/** The request, pending and awaiting the actor, or a clear refusal. */
async function awaitingActor(actor: Actor | undefined, id: unknown, now: Date): Promise<MeetingRequestDoc> {
  const r = await requestOf(actor, id);
  const state = effectiveState(r, now);
  if (state === 'expired' && r.state === 'pending') await markExpired(r, now);
  if (state !== 'pending') throw new ConflictError('meetings:errors.requestNotPending');
  if (String(r.awaiting) !== actor!.id) throw new ConflictError('meetings:errors.notYourTurn');
  return r;
}

async function partiesOf(r: MeetingRequestDoc): Promise<{ from: MeetingParticipantDoc; to: MeetingParticipantDoc }> {
  const rows = await MeetingParticipant.find({ _id: trusted({ $in: [r.from, r.to] }), active: true }).lean<MeetingParticipantDoc[]>();
  const from = rows.find((p) => String(p._id) === String(r.from));
  const to = rows.find((p) => String(p._id) === String(r.to));
  if (!from || !to) throw new ConflictError('meetings:errors.partyLeft');
  return { from, to };
}

/** Raises a person's count for a day while below the cap; false when the cap is reached. */
async function reserveDay(edition: Types.ObjectId, user: Types.ObjectId, day: string, cap: number): Promise<boolean> {
  try {
    const res = await MeetingDayCount.findOneAndUpdate({ edition, user, day, count: trusted({ $lt: cap }) }, { $inc: { count: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
    return Boolean(res);
  } catch (err) {
    // The counter exists and is at the cap: the upsert tried to make a second one.
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

async function releaseDay(edition: Types.ObjectId, user: Types.ObjectId, day: string): Promise<void> {
  await MeetingDayCount.updateOne({ edition, user, day, count: trusted({ $gt: 0 }) }, { $inc: { count: -1 } });
}

async function bookedAt(edition: Types.ObjectId, startsAt: Date, holder: string): Promise<boolean> {
  return Boolean(await Meeting.exists({ edition, startsAt, status: 'booked', holders: holder }));
}

/**
 * Accepts one of the offered slots: books it and a place atomically (see the file's comment). The
 * answer names what stood in the way: you or they already booked then, the daily cap, no place.
 */
export async function acceptRequest(deps: BookingDeps, actor: Actor | undefined, id: unknown, slotValue: string): Promise<MeetingDoc> {
  const now = deps.clock();
  const r = await awaitingActor(actor, id, now);
  const settings = await settingsFor(r.edition);
  requireOpen(settings, now);
  const at = new Date(slotValue);
  if (Number.isNaN(at.getTime()) || !r.slots.some((s) => s.getTime() === at.getTime())) throw new ValidationError({ slot: { key: 'meetings:errors.slotNotOffered' } });
  const slot = slotAt(settings, at);
  if (!slot) throw new ValidationError({ slot: { key: 'meetings:errors.slotNotInSessions' } });
  if (slot.startsAt.getTime() <= now.getTime()) throw new ValidationError({ slot: { key: 'meetings:errors.slotStarted' } });
  const { from, to } = await partiesOf(r);
  await refuseBlocked(from, to);
  if (!attends(from, slot.day) || !attends(to, slot.day) || [from, to].some((p) => p.unavailable.some((u) => u.getTime() === at.getTime()))) {
    throw new ValidationError({ slot: { key: 'meetings:errors.slotNotFree' } });
  }
  const me = actor!.id;
  const other = String(r.fromUser) === me ? r.toUser : r.fromUser;

  // 1. One insert holds both people and the place.
  const booth = boothFor(from, to);
  const places = booth ? [{ key: `b:${booth}`, table: null, booth }] : Array.from({ length: settings.tableCount }, (_, i) => ({ key: `t:${i + 1}`, table: i + 1, booth: null }));
  const _id = new Types.ObjectId();
  const host = new URL(deps.baseUrl).host || 'asem-sme-exchange';
  let meeting: MeetingDoc | null = null;
  for (const place of places) {
    try {
      const created = await Meeting.create({
        _id,
        edition: r.edition,
        request: r._id,
        sides: [from, to].map((p) => ({ participant: p._id, user: p.user, company: p.company, member: p.member, name: p.name, companyName: p.companyName })),
        startsAt: slot.startsAt,
        endsAt: slot.endsAt,
        day: slot.day,
        table: place.table,
        booth: place.booth,
        holders: [userKey(from.user), userKey(to.user), place.key],
        status: 'booked',
        uid: `meeting-${String(_id)}@${host}`,
        sequence: 0,
      });
      meeting = created.toObject() as MeetingDoc;
      break;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      if (await bookedAt(r.edition, slot.startsAt, userKey(me))) throw new ValidationError({ slot: { key: 'meetings:errors.youBooked' } });
      if (await bookedAt(r.edition, slot.startsAt, userKey(other))) throw new ValidationError({ slot: { key: 'meetings:errors.theyBooked' } });
      // The place is taken: try the next one.
    }
  }
  if (!meeting) throw new ValidationError({ slot: { key: 'meetings:errors.noPlace' } });
  const booked = meeting;

  // 2. The daily cap, for both; on failure the meeting goes and the counts are given back.
  const reserved: Types.ObjectId[] = [];
  const undo = async () => {
    await Meeting.deleteOne({ _id: booked._id, status: 'booked' });
    await Promise.all(reserved.map((u) => releaseDay(r.edition, u, slot.day)));
  };
  for (const user of [new Types.ObjectId(me), other]) {
    if (!(await reserveDay(r.edition, user, slot.day, settings.dailyCap))) {
      await undo();
      throw new ValidationError({ slot: { key: String(user) === me ? 'meetings:errors.youAtCap' : 'meetings:errors.theyAtCap' } });
    }
    reserved.push(user);
  }

  // 3. The request moves only if it is still pending and awaiting the actor.
  const won = await MeetingRequest.findOneAndUpdate(
    { _id: r._id, state: 'pending', awaiting: new Types.ObjectId(me) },
    { $set: { state: 'accepted', meeting: meeting._id }, $push: { history: { at: now, action: 'accepted', by: new Types.ObjectId(me), slots: [slot.startsAt], note: '' } } },
    { returnDocument: 'after' },
  ).lean<MeetingRequestDoc>();
  if (!won) {
    await undo();
    throw new ConflictError('meetings:errors.requestNotPending');
  }
  await deps.invitations.booked(booked, settings);
  return booked;
}

export async function declineRequest(deps: BookingDeps, actor: Actor | undefined, id: unknown, reason: string): Promise<void> {
  const now = deps.clock();
  const r = await awaitingActor(actor, id, now);
  const me = new Types.ObjectId(actor!.id);
  const won = await MeetingRequest.findOneAndUpdate(
    { _id: r._id, state: 'pending', awaiting: me },
    { $set: { state: 'declined', declineReason: reason }, $push: { history: { at: now, action: 'declined', by: me, slots: [], note: reason } } },
    { returnDocument: 'after' },
  ).lean<MeetingRequestDoc>();
  if (!won) throw new ConflictError('meetings:errors.requestNotPending');
  const otherUser = String(r.fromUser) === actor!.id ? r.toUser : r.fromUser;
  await tell(deps, otherUser, 'declined', { name: actor!.name }, reason, r._id);
}

/** Offers other slots instead; the other side answers next. */
export async function proposeSlots(deps: BookingDeps, actor: Actor | undefined, id: unknown, input: z.infer<typeof ProposeForm>): Promise<void> {
  const now = deps.clock();
  const r = await awaitingActor(actor, id, now);
  const settings = await settingsFor(r.edition);
  requireOpen(settings, now);
  const { from, to } = await partiesOf(r);
  await refuseBlocked(from, to);
  const slots = await checkOffered(settings, from, to, input.slot, now);
  const me = new Types.ObjectId(actor!.id);
  const other = String(r.fromUser) === actor!.id ? r.toUser : r.fromUser;
  const won = await MeetingRequest.findOneAndUpdate(
    { _id: r._id, state: 'pending', awaiting: me },
    { $set: { slots, awaiting: other, expiresAt: slots[slots.length - 1]! }, $push: { history: { at: now, action: 'proposed', by: me, slots, note: input.message ?? '' } } },
    { returnDocument: 'after' },
  ).lean<MeetingRequestDoc>();
  if (!won) throw new ConflictError('meetings:errors.requestNotPending');
  await tell(deps, other, 'proposed', { name: actor!.name }, input.message ?? '', r._id);
}

/** A booked meeting the actor takes part in, or 404. */
export async function meetingOf(actor: Actor | undefined, id: unknown): Promise<MeetingDoc> {
  if (!actor) throw new UnauthenticatedError();
  const _id = id instanceof Types.ObjectId ? id : objectIdOr404(id);
  const found = await Meeting.findOne({ _id, 'sides.user': new Types.ObjectId(actor.id) }).lean<MeetingDoc>();
  if (!found) throw new NotFoundError();
  return found;
}

async function cancelBooked(deps: BookingDeps, by: Types.ObjectId, m: MeetingDoc, now: Date): Promise<MeetingDoc> {
  const cancelled = await Meeting.findOneAndUpdate(
    { _id: m._id, status: 'booked' },
    { $set: { status: 'cancelled', cancelledBy: by, cancelledAt: now }, $inc: { sequence: 1 } },
    { returnDocument: 'after' },
  ).lean<MeetingDoc>();
  if (!cancelled) throw new ConflictError('meetings:errors.meetingNotBooked');
  await Promise.all(cancelled.sides.map((s) => releaseDay(cancelled.edition, s.user, cancelled.day)));
  await MeetingRequest.updateOne({ _id: cancelled.request, state: 'accepted' }, { $set: { state: 'cancelled' }, $push: { history: { at: now, action: 'cancelled', by, slots: [cancelled.startsAt], note: '' } } });
  const settings = await settingsOf(cancelled.edition);
  if (settings) await deps.invitations.cancelled(cancelled, settings);
  return cancelled;
}

/** Either side cancels a booked meeting: both people and the place are free again at once. */
export async function cancelMeeting(deps: BookingDeps, actor: Actor | undefined, id: unknown): Promise<MeetingDoc> {
  const m = await meetingOf(actor, id);
  return cancelBooked(deps, new Types.ObjectId(actor!.id), m, deps.clock());
}

/**
 * Withdraws the actor from the edition's meetings: its booked meetings are cancelled (both sides
 * get the cancellation), its pending requests either way are cancelled, and it no longer appears.
 */
export async function withdraw(deps: BookingDeps, actor: Actor | undefined, editionId: Types.ObjectId): Promise<{ cancelledMeetings: number }> {
  if (!actor) throw new UnauthenticatedError();
  const own = await ownParticipant(actor, editionId);
  if (!own || !own.active) throw new ConflictError('meetings:errors.notParticipant');
  const now = deps.clock();
  const me = new Types.ObjectId(actor.id);
  await MeetingParticipant.updateOne({ _id: own._id }, { $set: { active: false } });
  const booked = await Meeting.find({ edition: editionId, status: 'booked', 'sides.user': me }).lean<MeetingDoc[]>();
  let cancelledMeetings = 0;
  for (const m of booked) {
    try {
      await cancelBooked(deps, me, m, now);
      cancelledMeetings++;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // cancelled by the other side meanwhile
    }
  }
  await MeetingRequest.updateMany(
    { edition: editionId, state: 'pending', $or: [{ fromUser: me }, { toUser: me }] },
    { $set: { state: 'cancelled' }, $push: { history: { at: now, action: 'cancelled', by: me, slots: [], note: '' } } },
  );
  return { cancelledMeetings };
}

/** Scheduled work: pending requests whose last offered slot has started expire. Claimed by a conditional update. */
export async function expireRequests(now: Date): Promise<number> {
  const res = await MeetingRequest.updateMany(
    { state: 'pending', expiresAt: trusted({ $lte: now }) },
    { $set: { state: 'expired' }, $push: { history: { at: now, action: 'expired', by: null, slots: [], note: '' } } },
  );
  return res.modifiedCount;
}

/** How long a booking may take between its first and last write before the repair treats it as interrupted. */
export const INTERRUPTED_AFTER_MS = 10 * 60 * 1000;

/**
 * Scheduled work: a booking interrupted between its writes (a crash, the request time limit) may
 * leave a booked meeting its request does not point to, or a day count above the booked meetings.
 * After a grace period such meetings go and such counts come down (by conditional updates, so a
 * booking running meanwhile is never undercounted).
 */
export async function repairInterruptedBookings(now: Date): Promise<{ meetings: number; counts: number }> {
  const cutoff = new Date(now.getTime() - INTERRUPTED_AFTER_MS);
  const booked = await Meeting.find({ status: 'booked', createdAt: trusted({ $lt: cutoff }) }, { request: 1 }).lean<MeetingDoc[]>();
  let meetings = 0;
  if (booked.length) {
    const accepted = await MeetingRequest.find({ _id: trusted({ $in: booked.map((m) => m.request) }), state: 'accepted' }, { meeting: 1 }).lean<MeetingRequestDoc[]>();
    const held = new Set(accepted.map((r) => String(r.meeting)));
    for (const m of booked) {
      if (held.has(String(m._id))) continue;
      const res = await Meeting.deleteOne({ _id: m._id, status: 'booked', createdAt: trusted({ $lt: cutoff }) });
      meetings += res.deletedCount;
    }
  }
  let counts = 0;
  const counters = await MeetingDayCount.find({ count: trusted({ $gt: 0 }) }).lean();
  for (const c of counters) {
    const actual = await Meeting.countDocuments({ edition: c.edition, day: c.day, status: 'booked', 'sides.user': c.user });
    if (c.count > actual) {
      const res = await MeetingDayCount.updateOne({ _id: c._id, count: c.count }, { $set: { count: actual } });
      counts += res.modifiedCount;
    }
  }
  return { meetings, counts };
}

export interface RequestLists {
  incoming: MeetingRequestDoc[];
  outgoing: MeetingRequestDoc[];
}

export async function requestsOf(actor: Actor, editionId: Types.ObjectId): Promise<RequestLists> {
  const me = new Types.ObjectId(actor.id);
  const [incoming, outgoing] = await Promise.all([
    MeetingRequest.find({ edition: editionId, toUser: me }).sort({ updatedAt: -1 }).limit(200).lean<MeetingRequestDoc[]>(),
    MeetingRequest.find({ edition: editionId, fromUser: me }).sort({ updatedAt: -1 }).limit(200).lean<MeetingRequestDoc[]>(),
  ]);
  return { incoming, outgoing };
}

export async function meetingsOf(actor: Actor, editionId: Types.ObjectId): Promise<MeetingDoc[]> {
  return Meeting.find({ edition: editionId, status: 'booked', 'sides.user': new Types.ObjectId(actor.id) }).sort({ startsAt: 1 }).lean<MeetingDoc[]>();
}

/** Participants by id (names on request lists). */
export async function participantsById(ids: Types.ObjectId[]): Promise<Map<string, MeetingParticipantDoc>> {
  const rows = await MeetingParticipant.find({ _id: trusted({ $in: ids }) }).lean<MeetingParticipantDoc[]>();
  return new Map(rows.map((p) => [String(p._id), p]));
}

export async function settingsOfEdition(editionId: Types.ObjectId): Promise<MeetingSettingsDoc> {
  return settingsFor(editionId);
}
