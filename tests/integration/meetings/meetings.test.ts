/**
 * Meetings over HTTP against the real app: the organizer's sessions (per-field errors with the input
 * kept, refused for others), registration, a request with repeated `slot` values, acceptance with
 * the e-mails through SMTP, the set-up page listing the booked meeting, forged and foreign ids, and
 * the concurrency test: 50 acceptances racing for overlapping slots of the same two people and the
 * same tables → exactly the bookings the rules allow, no double booking, no 5xx.
 */
import { Types } from 'mongoose';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { csrfToken, login, newAgent, postForm, type Agent } from '../../helpers/http';
import { BoothRequest, FairEdition, currentEdition, type FairEditionDoc } from '../../../src/modules/fair';
import { Meeting, MeetingParticipant, MeetingRequest } from '../../../src/modules/meetings/model';
import { meetingsService } from '../../../src/modules/meetings/module';
import type { Actor } from '../../../src/kernel';

jest.setTimeout(240_000);

let t: TestApp;
let edition: FairEditionDoc;
let organizer: Agent;
const day = (n: number) => new Date(edition.startsOn.getTime() + n * 86_400_000).toISOString().slice(0, 10);
const at = (d: string, time: string) => new Date(`${d}T${time}:00+08:00`).toISOString();

async function as(u: { email: string; password: string }): Promise<Agent> {
  const a = newAgent(t.app);
  await login(a, u.email, u.password);
  return a;
}

function actorOf(u: MadeUser): Actor {
  return { id: u.id, role: 'member', name: u.name, email: u.email, language: 'en', member: u.member, companyId: u.companyId, createdAt: new Date() };
}

async function approvedExhibitor(ed: FairEditionDoc, member: string, companyName: string, booth: string): Promise<MadeUser> {
  const u = await makeUser({ member, company: { name: companyName } });
  await BoothRequest.create({
    edition: ed._id,
    company: new Types.ObjectId(u.companyId!),
    companyName,
    member,
    requester: new Types.ObjectId(u.id),
    contactName: u.name,
    phone: '+66 2 555 0101',
    products: 'Jasmine rice',
    boothCount: 1,
    status: 'approved',
    active: true,
    booths: [{ booth: new Types.ObjectId(), code: booth }],
  });
  return u;
}

function sessions(ed: FairEditionDoc, extra: Record<string, string | number> = {}) {
  const first = ed.startsOn.toISOString().slice(0, 10);
  const second = new Date(ed.startsOn.getTime() + 86_400_000).toISOString().slice(0, 10);
  const before = new Date(ed.startsOn.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  return {
    schedule: `${first} 09:00-12:00 14:00-17:00\n${second} 09:00-12:00`,
    slotMinutes: 30,
    breakMinutes: 0,
    tableCount: 10,
    areaX: 34,
    areaY: 2,
    areaWidth: 10,
    areaDepth: 8,
    timeZone: 'Asia/Shanghai',
    registrationOpensAt: `${before}T09:00`,
    registrationClosesAt: `${second}T12:00`,
    dailyCap: 6,
    ...extra,
  };
}

beforeAll(async () => {
  // Fifty acceptances at once on a shared machine may take longer than the default request time
  // limit; this suite is about who gets booked, not about speed (bench/ measures that).
  t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '120000' } });
  edition = (await currentEdition())!;
  t.setNow(new Date(edition.startsOn.getTime() - 10 * 86_400_000));
  organizer = await as(ORGANIZER);
});
afterAll(async () => {
  await t.close();
});

test('the organizer sets up the sessions; bad input shows the form again with errors and the input kept; others get 403', async () => {
  const bad = await postForm(organizer, '/admin/fair/meetings', sessions(edition, { schedule: '2001-01-01 09:00-12:00', timeZone: 'Mars/Olympus' }), '/admin/fair/meetings');
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('value="Mars/Olympus"');
  expect(bad.text).toContain('Enter an IANA time zone');
  const outside = await postForm(organizer, '/admin/fair/meetings', sessions(edition, { schedule: '2001-01-01 09:00-12:00' }), '/admin/fair/meetings');
  expect(outside.status).toBe(422);
  expect(outside.text).toContain('2001-01-01 is not a day of the fair');
  const ok = await postForm(organizer, '/admin/fair/meetings', sessions(edition), '/admin/fair/meetings');
  expect(ok.status).toBe(303);
  const page = await organizer.get(`/admin/fair/meetings?edition=${String(edition._id)}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('version 1');
  expect(page.text).toContain('class="mp-table"');
  const member = await as(await makeUser({ member: 'DE' }));
  expect((await member.get('/admin/fair/meetings')).status).toBe(403);
  expect((await postForm(member, '/admin/fair/meetings', sessions(edition), '/fair')).status).toBe(403);
  expect((await newAgent(t.app).get('/fair/meetings')).status).toBe(303);
});

test('an exhibitor from Thailand and a visitor from Germany meet: request, acceptance, e-mails, the set-up page shows it', async () => {
  const thai = await approvedExhibitor(edition, 'TH', 'Bangkok Rice Co', 'A01');
  const german = await makeUser({ member: 'DE', company: { name: 'Hamburg Spice Import GmbH' } });
  const [thA, deA] = [await as(thai), await as(german)];
  const list = await deA.get('/fair/meetings');
  expect(list.status).toBe(200);
  expect(list.text).toContain('Bangkok Rice Co');
  expect(list.text).toContain('href="/fair/agenda"');
  const reg = await postForm(deA, '/fair/meetings/register', { days: [day(0), day(1)], topics: 'Importing Thai rice' }, '/fair/meetings/register');
  expect(reg.status).toBe(303);
  const ex = (await MeetingParticipant.findOne({ user: new Types.ObjectId(thai.id) }).lean())!;
  const profile = await deA.get(`/fair/meetings/participants/${String(ex._id)}`);
  expect(profile.status).toBe(200);
  expect(profile.text).toContain(`href="/companies/${thai.companyId}"`);
  expect(profile.text).toContain(at(day(0), '10:00'));
  // Bracketed names are refused before anything happens.
  const token = await csrfToken(deA, '/fair/meetings');
  const bracket = await deA.post(`/fair/meetings/participants/${String(ex._id)}/request`).type('form').send(`_csrf=${encodeURIComponent(token)}&slot[0]=${encodeURIComponent(at(day(0), '10:00'))}`);
  expect(bracket.status).toBe(400);
  const tooLong = await postForm(deA, `/fair/meetings/participants/${String(ex._id)}/request`, { slot: [at(day(0), '10:00')], message: 'x'.repeat(1001) }, '/fair/meetings');
  expect(tooLong.status).toBe(422);
  const sent = await postForm(deA, `/fair/meetings/participants/${String(ex._id)}/request`, { slot: [at(day(0), '10:00'), at(day(0), '10:30')], message: 'Guten Tag' }, '/fair/meetings');
  expect(sent.status).toBe(303);
  const requestId = String(sent.headers.location).split('/').pop()!;
  await t.smtp.waitFor((m) => m.to.includes(thai.email) && m.subject.includes('Meeting request'));
  // Someone else's request, and a forged id: 404.
  const stranger = await as(await makeUser({ member: 'FR' }));
  expect((await stranger.get(`/fair/meetings/requests/${requestId}`)).status).toBe(404);
  expect((await postForm(stranger, `/fair/meetings/requests/${requestId}/accept`, { slot: at(day(0), '10:00') }, '/fair/meetings')).status).toBe(404);
  expect((await thA.get('/fair/meetings/requests/not-an-id')).status).toBe(404);
  const desk = await thA.get('/desk');
  expect(desk.text).toContain('Meeting request from');
  const accepted = await postForm(thA, `/fair/meetings/requests/${requestId}/accept`, { slot: at(day(0), '10:30') }, `/fair/meetings/requests/${requestId}`);
  expect(accepted.status).toBe(303);
  const meeting = (await Meeting.findOne({ request: new Types.ObjectId(requestId) }).lean())!;
  expect(meeting).toMatchObject({ status: 'booked', table: 1 });
  // Both get the calendar invitation.
  await t.smtp.waitFor((m) => m.to.includes(german.email) && m.attachments.some((a) => /METHOD:REQUEST/.test(a.content)));
  await t.smtp.waitFor((m) => m.to.includes(thai.email) && m.attachments.some((a) => /METHOD:REQUEST/.test(a.content)));
  const setup = await organizer.get('/admin/fair/meetings');
  expect(setup.text).toContain('Hamburg Spice Import GmbH');
  expect(setup.text).toContain('Table 1');
  expect(setup.text).toContain('href="/admin/fair/meetings/grid"');
  // Removing the afternoon of the first day is fine; removing 10:30 would drop the meeting.
  const refused = await postForm(organizer, '/admin/fair/meetings', sessions(edition, { schedule: `${day(0)} 14:00-17:00\n${day(1)} 09:00-12:00` }), '/admin/fair/meetings');
  expect(refused.status).toBe(409);
  expect(refused.text).toContain('Bangkok Rice Co');
  // Cancel: the meeting goes, both hear of it.
  const cancelled = await postForm(deA, `/fair/meetings/booked/${String(meeting._id)}/cancel`, {}, '/fair/meetings/requests');
  expect(cancelled.status).toBe(303);
  expect((await Meeting.findById(meeting._id).lean())!).toMatchObject({ status: 'cancelled', sequence: 1 });
  await t.smtp.waitFor((m) => m.to.includes(thai.email) && m.attachments.some((a) => /METHOD:CANCEL/.test(a.content) && a.content.includes(meeting.uid)));
});

test('concurrency: 50 acceptances race for overlapping slots of the same two people and the same tables; exactly the bookings the rules allow', async () => {
  // An edition of its own: three tables, at most two meetings per person per day.
  const raceEdition = (await FairEdition.create({
    ...edition,
    _id: new Types.ObjectId(),
    code: `race-${new Types.ObjectId().toHexString()}`,
    status: 'draft',
  })).toObject() as FairEditionDoc;
  const organizerActor: Actor = { id: new Types.ObjectId().toHexString(), role: 'organizer', name: 'Organizer', email: ORGANIZER.email, language: 'en', member: null, companyId: null, createdAt: new Date() };
  const service = meetingsService(t.ctx);
  const d0 = raceEdition.startsOn.toISOString().slice(0, 10);
  const settings = await service.saveSettings(organizerActor, raceEdition, { ...sessions(raceEdition), schedule: `${d0} 09:00-13:00`, tableCount: 3, dailyCap: 2, areaX: undefined, areaY: undefined, areaWidth: undefined, areaDepth: undefined } as never);
  const register = async (u: MadeUser) => (await service.register(actorOf(u), settings, { days: [d0], topics: '', meetAtBooth: false }))._id;
  const people = async (n: number, member: string) => Promise.all(Array.from({ length: n }, () => makeUser({ member })));

  // 20 requests between the same two people, 10 for 09:30 and 10 for 10:00.
  const [a, b] = await people(2, 'CN');
  const bPart = (await register(a), await register(b));
  const abRequests = [];
  for (let i = 0; i < 20; i++) abRequests.push({ by: b, id: (await service.sendRequest(actorOf(a!), settings, bPart, { slot: [at(d0, i % 2 ? '10:00' : '09:30')] }))._id });
  // 25 pairs for 09:00: three tables.
  const askers = await people(25, 'VN');
  const answerers = await people(25, 'PL');
  const tableRequests = [];
  for (let i = 0; i < 25; i++) {
    await register(askers[i]!);
    const to = await register(answerers[i]!);
    tableRequests.push({ by: answerers[i]!, id: (await service.sendRequest(actorOf(askers[i]!), settings, to, { slot: [at(d0, '09:00')] }))._id });
  }
  // Five partners ask one person for five different slots: a daily cap of two.
  const [busy] = await people(1, 'IE');
  const busyPart = await register(busy!);
  const capRequests = [];
  for (const time of ['10:30', '11:00', '11:30', '12:00', '12:30']) {
    const [partner] = await people(1, 'MY');
    await register(partner!);
    capRequests.push({ by: busy!, id: (await service.sendRequest(actorOf(partner!), settings, busyPart, { slot: [at(d0, time)] }))._id });
  }
  const all = [...abRequests, ...tableRequests, ...capRequests];
  expect(all).toHaveLength(50);

  // Each acceptor signs in once; then all 50 acceptances go at once.
  const agents = new Map<string, { agent: Agent; token: string }>();
  for (const { by } of all) {
    if (agents.has(by.id)) continue;
    const agent = await as(by);
    agents.set(by.id, { agent, token: await csrfToken(agent, '/fair') });
  }
  const slotOf = async (id: Types.ObjectId) => (await MeetingRequest.findById(id).lean())!.slots[0]!.toISOString();
  const bodies = await Promise.all(all.map(async (r) => ({ ...r, slot: await slotOf(r.id) })));
  const responses = await Promise.all(
    bodies.map(({ by, id, slot }) => {
      const { agent, token } = agents.get(by.id)!;
      return agent.post(`/fair/meetings/requests/${String(id)}/accept`).type('form').send(new URLSearchParams({ _csrf: token, slot }).toString());
    }),
  );
  const statuses = responses.map((r) => r.status);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  expect(statuses.every((s) => s === 303 || s === 409 || s === 422)).toBe(true);

  const booked = await Meeting.find({ edition: raceEdition._id, status: 'booked' }).lean();
  // The two people: one meeting at 09:30 and one at 10:00. 09:00: three tables. The busy person: two.
  const ab = booked.filter((m) => m.holders.includes(`u:${a!.id}`));
  expect(ab.map((m) => localTimeOf(m.startsAt)).sort()).toEqual(['09:30', '10:00']);
  expect(booked.filter((m) => localTimeOf(m.startsAt) === '09:00').map((m) => m.table).sort()).toEqual([1, 2, 3]);
  expect(booked.filter((m) => m.holders.includes(`u:${busy!.id}`))).toHaveLength(2);
  expect(booked).toHaveLength(7);
  expect(statuses.filter((s) => s === 303)).toHaveLength(7);
  // No holder twice at one start; accepted requests are exactly the booked meetings.
  const keys = booked.flatMap((m) => m.holders.map((h) => `${m.startsAt.toISOString()}|${h}`));
  expect(new Set(keys).size).toBe(keys.length);
  expect(await Meeting.countDocuments({ edition: raceEdition._id })).toBe(7);
  expect(await MeetingRequest.countDocuments({ edition: raceEdition._id, state: 'accepted' })).toBe(7);
});

function localTimeOf(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
}
