/**
 * The meetings' services against the database: sessions (validation, version, never dropping a
 * booked meeting, copy from the previous edition), participants, and every rule of requests and
 * booking (window, cap, self, block, slot outside the sessions or started, non-participant, forged
 * and other people's ids), with a clock the test controls.
 */
import { Types } from 'mongoose';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/kernel';
import { ContactBlock } from '../../../src/modules/partners/model';
import { Meeting, MeetingDayCount, MeetingParticipant, MeetingRequest, MeetingSettings, ensureMeetingIndexes } from '../../../src/modules/meetings/model';
import { SessionsDropMeetingsError, startingSettings } from '../../../src/modules/meetings/settings';
import { expireRequests, sharedFreeSlots } from '../../../src/modules/meetings/booking';
import { listParticipants, ownParticipant } from '../../../src/modules/meetings/participants';
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { makeUser } from '../../helpers/factories';
import { SESSIONS, actorOf, at, clock, exhibitor, invitations, makeEdition, organizer, service, setUp } from './setup';

jest.setTimeout(120_000);

beforeAll(async () => {
  await connectTestDb();
  await ensureMeetingIndexes();
});
afterAll(async () => {
  await disconnectTestDb();
});
beforeEach(() => {
  clock.now = new Date('2027-09-01T02:00:00Z');
});

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

function fieldKey(err: unknown, field: string): string | undefined {
  expect(err).toBeInstanceOf(ValidationError);
  return (err as ValidationError).fieldErrors[field]?.key;
}

describe('sessions', () => {
  test('per-field errors: day outside the fair, window without a slot, closes before opens, unknown zone; nothing stored', async () => {
    const edition = await makeEdition();
    const org = await organizer();
    expect(fieldKey(await errorOf(service.saveSettings(org, edition, { ...SESSIONS, schedule: '2027-09-20 09:00-12:00' })), 'schedule')).toBe('meetings:settings.errors.dayOutsideFair');
    expect(fieldKey(await errorOf(service.saveSettings(org, edition, { ...SESSIONS, schedule: '2027-09-15 09:00-09:20' })), 'schedule')).toBe('meetings:settings.errors.windowTooShort');
    expect(fieldKey(await errorOf(service.saveSettings(org, edition, { ...SESSIONS, registrationClosesAt: '2027-07-01T09:00' })), 'registrationClosesAt')).toBe('meetings:settings.errors.closesBeforeOpens');
    expect(await MeetingSettings.countDocuments({ edition: edition._id })).toBe(0);
    const member = actorOf(await makeUser());
    await expect(service.saveSettings(member, edition, SESSIONS)).rejects.toBeInstanceOf(ForbiddenError);
  });

  test('each save raises the version; slots follow the windows in the edition zone', async () => {
    const { edition, settings } = await setUp();
    expect(settings.version).toBe(1);
    const again = await service.saveSettings(await organizer(), edition, { ...SESSIONS, tableCount: 5 });
    expect(again.version).toBe(2);
    expect(again.tableCount).toBe(5);
    expect(again.registrationOpensAt.toISOString()).toBe('2027-08-01T01:00:00.000Z');
  });

  test('a save that would drop a booked meeting (its slot or its table) is refused, listing it', async () => {
    const { edition, settings } = await setUp();
    const [a, b] = [await makeUser({ member: 'DE' }), await makeUser({ member: 'FR' })];
    await service.register(actorOf(a), settings, { days: ['2027-09-16'], topics: '', meetAtBooth: false });
    await service.register(actorOf(b), settings, { days: ['2027-09-16'], topics: '', meetAtBooth: false });
    const target = await MeetingParticipant.findOne({ user: new Types.ObjectId(b.id) }).lean();
    const r = await service.sendRequest(actorOf(a), settings, target!._id, { slot: [at('2027-09-16', '09:30')] });
    await service.acceptRequest(actorOf(b), r._id, at('2027-09-16', '09:30'));
    const org = await organizer();
    const dropped = await errorOf(service.saveSettings(org, edition, { ...SESSIONS, schedule: '2027-09-15 09:00-12:00\n2027-09-16 09:00-09:30' }));
    expect(dropped).toBeInstanceOf(SessionsDropMeetingsError);
    expect((dropped as SessionsDropMeetingsError).meetings.map((m) => m.startsAt.toISOString())).toEqual([at('2027-09-16', '09:30')]);
    // Fewer tables: the meeting at table 1 stays, so one table is enough; none is not.
    expect(await errorOf(service.saveSettings(org, edition, { ...SESSIONS, tableCount: 0 }))).toBeInstanceOf(SessionsDropMeetingsError);
    expect((await service.saveSettings(org, edition, { ...SESSIONS, tableCount: 1 })).version).toBe(2);
    expect((await MeetingSettings.findOne({ edition: edition._id }).lean())!.tableCount).toBe(1);
  });

  test('a new edition starts from a copy of the previous edition sessions, moved to its days', async () => {
    const previous = await makeEdition(2030);
    await service.saveSettings(await organizer(), previous, {
      ...SESSIONS,
      schedule: '2030-09-16 09:00-12:00\n2030-09-17 14:00-17:00',
      tableCount: 12,
      slotMinutes: 20,
      registrationOpensAt: '2030-08-01T09:00',
      registrationClosesAt: '2030-09-14T18:00',
    });
    const next = await makeEdition(2031);
    const start = await startingSettings(next, clock.now);
    expect(start.days).toEqual([
      { date: '2031-09-16', windows: [{ start: '09:00', end: '12:00' }] },
      { date: '2031-09-17', windows: [{ start: '14:00', end: '17:00' }] },
    ]);
    expect(start.tableCount).toBe(12);
    expect(start.slotMinutes).toBe(20);
    expect(start.area).toEqual({ x: 34, y: 2, width: 8, depth: 6 });
  });
});

describe('participants', () => {
  test('exhibitors take part automatically; visitors and liaisons register in the window; organizers cannot', async () => {
    const { edition, settings } = await setUp();
    const thai = await exhibitor(edition, 'TH', 'A01');
    const own = await ownParticipant(actorOf(thai), edition._id);
    expect(own).toMatchObject({ kind: 'exhibitor', booths: ['A01'], active: true });
    const liaison = await makeUser({ role: 'liaison', member: 'DE' });
    const p = await service.register(actorOf(liaison, 'liaison'), settings, { days: ['2027-09-15'], topics: 'Trade policy', meetAtBooth: false });
    expect(p.kind).toBe('liaison');
    await expect(service.register(await organizer(), settings, { days: ['2027-09-15'], topics: '', meetAtBooth: false })).rejects.toBeInstanceOf(ForbiddenError);
    const visitor = await makeUser({ member: 'DE' });
    expect(fieldKey(await errorOf(service.register(actorOf(visitor), settings, { days: ['2027-09-17'], topics: '', meetAtBooth: false })), 'days')).toBe('validation:invalidChoice');
    clock.now = new Date('2027-09-17T00:00:00Z');
    expect(fieldKey(await errorOf(service.register(actorOf(visitor), settings, { days: ['2027-09-15'], topics: '', meetAtBooth: false })), '_form')).toBe('meetings:errors.registrationClosed');
    expect(await MeetingParticipant.countDocuments({ user: new Types.ObjectId(visitor.id) })).toBe(0);
  });

  test('unavailable slots must be slots of the sessions and hide the slot from shared free slots', async () => {
    const { edition, settings } = await setUp();
    const thai = await exhibitor(edition, 'TH', 'A02');
    const de = await makeUser({ member: 'DE' });
    const visitor = await service.register(actorOf(de), settings, { days: ['2027-09-15'], topics: '', meetAtBooth: false });
    expect(fieldKey(await errorOf(service.setUnavailable(actorOf(de), settings, [at('2027-09-15', '09:10')])), 'slot')).toBe('meetings:errors.slotNotInSessions');
    await service.setUnavailable(actorOf(de), settings, [at('2027-09-15', '09:00')]);
    const ex = (await ownParticipant(actorOf(thai), edition._id))!;
    const me = (await MeetingParticipant.findById(visitor._id).lean())!;
    const free = await sharedFreeSlots(settings, me, ex, clock.now);
    expect(free.map((s) => s.startsAt.toISOString())).toEqual(['09:30', '10:00', '10:30', '11:00', '11:30'].map((t) => at('2027-09-15', t)));
  });
});

describe('requests and booking', () => {
  async function pair() {
    const { edition, settings } = await setUp();
    const thai = await exhibitor(edition, 'TH', 'B01');
    const de = await makeUser({ member: 'DE' });
    await service.register(actorOf(de), settings, { days: ['2027-09-15', '2027-09-16'], topics: 'Spices', meetAtBooth: false });
    const ex = (await ownParticipant(actorOf(thai), edition._id))!;
    const visitor = (await ownParticipant(actorOf(de), edition._id))!;
    return { edition, settings, thai, de, ex, visitor };
  }

  test('a request offers shared free slots; accepting books one slot and a table; both are told', async () => {
    const { settings, thai, de, ex } = await pair();
    const r = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '10:00'), at('2027-09-15', '10:30')], message: 'Let us talk' });
    expect(r.state).toBe('pending');
    expect(String(r.awaiting)).toBe(thai.id);
    await expect(service.acceptRequest(actorOf(de), r._id, at('2027-09-15', '10:00'))).rejects.toBeInstanceOf(ConflictError);
    expect(fieldKey(await errorOf(service.acceptRequest(actorOf(thai), r._id, at('2027-09-15', '11:00'))), 'slot')).toBe('meetings:errors.slotNotOffered');
    const before = invitations.booked.length;
    const m = await service.acceptRequest(actorOf(thai), r._id, at('2027-09-15', '10:30'));
    expect(m).toMatchObject({ table: 1, booth: null, day: '2027-09-15', status: 'booked' });
    expect(m.holders.sort()).toEqual([`t:1`, `u:${de.id}`, `u:${thai.id}`].sort());
    expect(invitations.booked.length).toBe(before + 1);
    expect((await MeetingRequest.findById(r._id).lean())!.state).toBe('accepted');
    expect((await MeetingDayCount.findOne({ user: new Types.ObjectId(de.id), day: '2027-09-15' }).lean())!.count).toBe(1);
  });

  test('the requester answers a counter-proposal; declining keeps a reason', async () => {
    const { settings, thai, de, ex } = await pair();
    const r = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '09:00')] });
    await service.proposeSlots(actorOf(thai), r._id, { slot: [at('2027-09-15', '11:00')], message: 'Later?' });
    const proposed = (await MeetingRequest.findById(r._id).lean())!;
    expect(String(proposed.awaiting)).toBe(de.id);
    expect(proposed.slots.map((s) => s.toISOString())).toEqual([at('2027-09-15', '11:00')]);
    await service.declineRequest(actorOf(de), r._id, 'Schedule changed');
    expect((await MeetingRequest.findById(r._id).lean())).toMatchObject({ state: 'declined', declineReason: 'Schedule changed' });
  });

  test('refused, nothing stored: self, own company, blocked company, non-participant, slot outside the sessions, started slot, outside the window', async () => {
    const { edition, settings, thai, de, ex, visitor } = await pair();
    const count = () => MeetingRequest.countDocuments({ edition: edition._id });
    const before = await count();
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(de), settings, visitor._id, { slot: [at('2027-09-15', '10:00')] })), '_form')).toBe('meetings:errors.self');
    await ContactBlock.create({ company: new Types.ObjectId(thai.companyId!), blocked: new Types.ObjectId(de.companyId!), createdAt: clock.now });
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '10:00')] })), '_form')).toBe('meetings:errors.blocked');
    await ContactBlock.deleteMany({});
    const outsider = await makeUser({ member: 'IT' });
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(outsider), settings, ex._id, { slot: [at('2027-09-15', '10:00')] })), '_form')).toBe('meetings:errors.notParticipant');
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '10:10')] })), 'slot')).toBe('meetings:errors.slotNotInSessions');
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(de), settings, ex._id, { slot: ['not a date'] })), 'slot')).toBe('meetings:errors.slotNotInSessions');
    clock.now = new Date(at('2027-09-15', '10:00'));
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '10:00')] })), 'slot')).toBe('meetings:errors.slotStarted');
    clock.now = new Date('2027-07-01T00:00:00Z');
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '10:00')] })), '_form')).toBe('meetings:errors.registrationClosed');
    await expect(service.sendRequest(actorOf(de), settings, new Types.ObjectId(), { slot: [at('2027-09-15', '10:00')] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.sendRequest(actorOf(de), settings, 'forged', { slot: [at('2027-09-15', '10:00')] })).rejects.toBeInstanceOf(NotFoundError);
    expect(await count()).toBe(before);
  });

  test("someone else's request and forged ids are 404", async () => {
    const { settings, de, ex } = await pair();
    const r = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '10:00')] });
    const stranger = await makeUser({ member: 'PL' });
    await expect(service.acceptRequest(actorOf(stranger), r._id, at('2027-09-15', '10:00'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.declineRequest(actorOf(stranger), 'nope', '')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.cancelMeeting(actorOf(stranger), new Types.ObjectId())).rejects.toBeInstanceOf(NotFoundError);
  });

  test('no double booking: the same person in one slot is refused with who is booked; tables run out', async () => {
    const { edition, settings, thai, de, ex } = await pair();
    const fr = await makeUser({ member: 'FR' });
    await service.register(actorOf(fr), settings, { days: ['2027-09-15'], topics: '', meetAtBooth: false });
    const r1 = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '09:00')] });
    const r2 = await service.sendRequest(actorOf(fr), settings, ex._id, { slot: [at('2027-09-15', '09:00')] });
    await service.acceptRequest(actorOf(thai), r1._id, at('2027-09-15', '09:00'));
    expect(fieldKey(await errorOf(service.acceptRequest(actorOf(thai), r2._id, at('2027-09-15', '09:00'))), 'slot')).toBe('meetings:errors.youBooked');
    expect((await MeetingRequest.findById(r2._id).lean())!.state).toBe('pending');
    // Two tables: three other pairs ask for 11:00 while it is free; two acceptances take tables 1
    // and 2, the third finds no table (the insert tried each), and no new request can offer 11:00.
    const people = await Promise.all(['IT', 'ES', 'PL', 'PT', 'SE', 'FI', 'AT', 'BE'].map((m) => makeUser({ member: m })));
    const parts = [];
    for (const u of people) parts.push(await service.register(actorOf(u), settings, { days: ['2027-09-15'], topics: '', meetAtBooth: false }));
    const requests = [];
    for (let i = 0; i < 6; i += 2) requests.push(await service.sendRequest(actorOf(people[i]!), settings, parts[i + 1]!._id, { slot: [at('2027-09-15', '11:00')] }));
    for (let i = 0; i < 2; i++) {
      const m = await service.acceptRequest(actorOf(people[2 * i + 1]!), requests[i]!._id, at('2027-09-15', '11:00'));
      expect(m.table).toBe(i + 1);
    }
    expect(fieldKey(await errorOf(service.acceptRequest(actorOf(people[5]!), requests[2]!._id, at('2027-09-15', '11:00'))), 'slot')).toBe('meetings:errors.noPlace');
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(people[6]!), settings, parts[7]!._id, { slot: [at('2027-09-15', '11:00')] })), 'slot')).toBe('meetings:errors.noPlace');
    const booked = await Meeting.find({ edition: edition._id, status: 'booked', startsAt: new Date(at('2027-09-15', '11:00')) }).lean();
    expect(booked.map((m) => m.table).sort()).toEqual([1, 2]);
    expect((await MeetingDayCount.find({ user: new Types.ObjectId(people[5]!.id) }).lean()).every((c) => c.count === 0)).toBe(true);
  });

  test('an exhibitor meeting at its booth books the booth, not a table', async () => {
    const { settings, thai, de } = await pair();
    await service.register(actorOf(thai), settings, { days: [], topics: 'Rice', meetAtBooth: true });
    const ex = (await MeetingParticipant.findOne({ user: new Types.ObjectId(thai.id) }).lean())!;
    const r = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-16', '09:00')] });
    const m = await service.acceptRequest(actorOf(thai), r._id, at('2027-09-16', '09:00'));
    expect(m).toMatchObject({ table: null, booth: 'B01' });
    expect(m.holders).toContain('b:B01');
  });

  test('the daily cap is enforced; cancelling frees the people, the place and the count', async () => {
    const { settings, thai, de, ex } = await pair();
    const meetings = [];
    for (const time of ['09:00', '09:30', '10:00']) {
      const r = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', time)] });
      meetings.push(await service.acceptRequest(actorOf(thai), r._id, at('2027-09-15', time)));
    }
    expect(fieldKey(await errorOf(service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '11:00')] })), 'slot')).toBe('meetings:errors.dailyCap');
    const cancelled = await service.cancelMeeting(actorOf(de), meetings[0]!._id);
    expect(cancelled).toMatchObject({ status: 'cancelled', sequence: 1 });
    expect(String(cancelled.cancelledBy)).toBe(de.id);
    expect(invitations.cancelled.some((m) => String(m._id) === String(cancelled._id))).toBe(true);
    await expect(service.cancelMeeting(actorOf(thai), meetings[0]!._id)).rejects.toBeInstanceOf(ConflictError);
    const r = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '09:00')] });
    const rebooked = await service.acceptRequest(actorOf(thai), r._id, at('2027-09-15', '09:00'));
    expect(rebooked.table).toBe(1);
  });

  test('requests whose offered slots have all started expire (read as expired, then by the scheduled work)', async () => {
    const { settings, thai, de, ex } = await pair();
    const r = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '09:00'), at('2027-09-15', '09:30')] });
    clock.now = new Date(at('2027-09-15', '09:30'));
    await expect(service.acceptRequest(actorOf(thai), r._id, at('2027-09-15', '09:30'))).rejects.toBeInstanceOf(ConflictError);
    expect((await MeetingRequest.findById(r._id).lean())!.state).toBe('expired');
    const r2 = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-16', '09:00')] });
    clock.now = new Date(at('2027-09-16', '09:00'));
    expect(await expireRequests(clock.now)).toBeGreaterThanOrEqual(1);
    expect((await MeetingRequest.findById(r2._id).lean())!.state).toBe('expired');
  });

  test('withdrawing cancels pending requests and booked meetings with their cancellation', async () => {
    const { edition, settings, thai, de, ex } = await pair();
    const r1 = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '09:00')] });
    const m = await service.acceptRequest(actorOf(thai), r1._id, at('2027-09-15', '09:00'));
    const r2 = await service.sendRequest(actorOf(de), settings, ex._id, { slot: [at('2027-09-15', '10:00')] });
    const res = await service.withdraw(actorOf(de), edition._id);
    expect(res.cancelledMeetings).toBe(1);
    expect((await Meeting.findById(m._id).lean())!.status).toBe('cancelled');
    expect((await MeetingRequest.findById(r2._id).lean())!.state).toBe('cancelled');
    expect((await MeetingParticipant.findOne({ user: new Types.ObjectId(de.id) }).lean())!.active).toBe(false);
  });
});

describe('interrupted bookings', () => {
  test('a booked meeting its request does not point to, and a count above the meetings, are repaired after a grace period', async () => {
    const { edition, settings } = await setUp();
    const [a, b] = [await makeUser({ member: 'DE' }), await makeUser({ member: 'TH' })];
    await service.register(actorOf(a), settings, { days: ['2027-09-15'], topics: '', meetAtBooth: false });
    const bp = await service.register(actorOf(b), settings, { days: ['2027-09-15'], topics: '', meetAtBooth: false });
    const r = await service.sendRequest(actorOf(a), settings, bp._id, { slot: [at('2027-09-15', '09:00'), at('2027-09-15', '09:30')] });
    const kept = await service.acceptRequest(actorOf(b), r._id, at('2027-09-15', '09:00'));
    // As if a second booking stopped after its insert and its counts: a meeting no request holds.
    const orphan = await Meeting.create({ ...kept, _id: new Types.ObjectId(), uid: 'orphan@test', startsAt: new Date(at('2027-09-15', '09:30')), createdAt: clock.now });
    await MeetingDayCount.updateMany({ edition: edition._id, day: '2027-09-15' }, { $inc: { count: 1 } });
    expect((await service.runScheduledWork()).repaired).toEqual({ meetings: 0, counts: 0 });
    clock.now = new Date(clock.now.getTime() + 11 * 60 * 1000);
    const { repaired } = await service.runScheduledWork();
    expect(repaired.meetings).toBe(1);
    expect(repaired.counts).toBeGreaterThanOrEqual(2);
    expect(await Meeting.exists({ _id: orphan._id })).toBeNull();
    expect((await Meeting.findById(kept._id).lean())!.status).toBe('booked');
    const counts = await MeetingDayCount.find({ edition: edition._id, day: '2027-09-15' }).lean();
    expect(counts.map((c) => c.count)).toEqual([1, 1]);
  });
});

describe('the participants list', () => {
  test('filters by member, kind, day and text in name or topics, page by page', async () => {
    const { edition, settings } = await setUp();
    await exhibitor(edition, 'TH', 'C01');
    const [de, fr] = [await makeUser({ member: 'DE', name: 'Greta Vogel' }), await makeUser({ member: 'FR' })];
    await service.register(actorOf(de), settings, { days: ['2027-09-15'], topics: 'Organic tea (wholesale)', meetAtBooth: false });
    await service.register(actorOf(fr), settings, { days: ['2027-09-16'], topics: 'Wine', meetAtBooth: false });
    const page = { skip: 0, perPage: 20 };
    const names = async (filters: Parameters<typeof listParticipants>[1]) => (await listParticipants(edition._id, filters, page)).rows.map((p) => p.member).sort();
    expect(await names({})).toEqual(['DE', 'FR', 'TH']);
    expect(await names({ member: 'de' })).toEqual(['DE']);
    expect(await names({ kind: 'exhibitor' })).toEqual(['TH']);
    expect(await names({ day: '2027-09-16' })).toEqual(['FR', 'TH']);
    expect(await names({ q: 'tea (whole' })).toEqual(['DE']);
    expect(await names({ q: 'greta' })).toEqual(['DE']);
    expect(await names({ q: '.*' })).toEqual([]);
    const second = await listParticipants(edition._id, {}, { skip: 2, perPage: 2 });
    expect(second.total).toBe(3);
    expect(second.rows).toHaveLength(1);
  });
});
