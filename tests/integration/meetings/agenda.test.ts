/**
 * The personal agenda, the outcomes after the fair (and the best-practice draft), the liaison's
 * view, the organizer's grid with no-show marks, the CSV and the figures; who may see what.
 */
import request from 'supertest';
import { Types } from 'mongoose';
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { Meeting, type MeetingDoc, type MeetingSettingsDoc } from '../../../src/modules/meetings/model';
import { Practice } from '../../../src/modules/practices/model';
import { DAY1, DAY2, meeting, participant, pendingRequest, sessions, type Person } from './agenda-fixtures';

let t: TestApp;
let settings: MeetingSettingsDoc;
let visitor: Person; // Germany
let exhibitor: Person; // Thailand
let other: Person; // France, meets the exhibitor at its booth
let booked: MeetingDoc;
let atBooth: MeetingDoc;
let cancelled: MeetingDoc;
let visitorAgent: Agent;
let exhibitorAgent: Agent;
let organizer: Agent;

async function agentOf(email: string, password: string): Promise<Agent> {
  const agent = newAgent(t.app);
  await login(agent, email, password);
  return agent;
}

beforeAll(async () => {
  t = await createTestApp();
  settings = await sessions({ timeZone: 'Asia/Shanghai', tableCount: 10 });
  visitor = await participant(settings, { member: 'DE', language: 'en', company: 'Berliner Werkzeug GmbH' });
  exhibitor = await participant(settings, { member: 'TH', language: 'en', company: 'Siam Ceramics Co.', kind: 'exhibitor', booth: 'A12' });
  other = await participant(settings, { member: 'FR', language: 'en', company: 'Lyon Textiles SARL' });
  booked = await meeting(settings, visitor, exhibitor, { day: DAY1, time: '10:00', table: 3 });
  atBooth = await meeting(settings, other, exhibitor, { day: DAY1, time: '10:30', booth: 'A12' });
  cancelled = await meeting(settings, visitor, other, { day: DAY2, time: '09:00', table: 1 });
  await Meeting.updateOne({ _id: cancelled._id }, { $set: { status: 'cancelled' } });
  await pendingRequest(settings, other, visitor);
  visitorAgent = await agentOf(visitor.email, visitor.password);
  exhibitorAgent = await agentOf(exhibitor.email, exhibitor.password);
  organizer = await agentOf(ORGANIZER.email, ORGANIZER.password);
});
afterAll(async () => {
  await t.close();
});
afterEach(() => t.setNow(null));

const row = (html: string, id: unknown) => {
  const m = new RegExp(`<tr data-meeting="${String(id)}">([\\s\\S]*?)</tr>`).exec(html);
  if (!m) throw new Error(`no row for meeting ${String(id)}`);
  return m[1]!;
};

describe('the personal agenda', () => {
  it('lists the meetings by day with partner, table, the fair time and the reader\'s own', async () => {
    const res = await visitorAgent.get('/fair/agenda');
    expect(res.status).toBe(200);
    const mine = row(res.text, booked._id);
    expect(mine).toContain('Siam Ceramics Co.');
    expect(mine).toContain(`/companies/${exhibitor.companyId}`);
    expect(mine).toContain('Table 3');
    expect(mine).toContain('10:00–10:30'); // Asia/Shanghai
    expect(mine).toContain('04:00–04:30'); // Europe/Berlin, the German member's zone (summer time)
    expect(row(res.text, cancelled._id)).toContain('Cancelled');
    expect(res.text).not.toContain(`data-meeting="${String(atBooth._id)}"`);
    expect(res.text).toContain('Your own times are shown in Europe/Berlin');
    // Printable: the print stylesheet is A4 with a page per day.
    const css = /href="([^"]*agenda-print\.css[^"]*)" media="print"/.exec(res.text)?.[1];
    expect(css).toBeDefined();
    const sheet = await request(t.app).get(css!);
    expect(sheet.text).toContain('size: A4');
    expect(sheet.text).toMatch(/\.agenda-day \+ \.agenda-day \{ break-before: page/);
  });

  it('shows the reader\'s chosen zone, and refuses one that does not exist', async () => {
    const tokyo = await visitorAgent.get('/fair/agenda?tz=Asia/Tokyo');
    expect(row(tokyo.text, booked._id)).toContain('11:00–11:30');
    const bad = await visitorAgent.get('/fair/agenda?tz=Mars/Olympus');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('This is not a time zone we know');
    expect(bad.text).toContain('value="Mars/Olympus"');
    // The same zone as the fair: no second time column.
    const same = await visitorAgent.get('/fair/agenda?tz=Asia/Shanghai');
    expect(same.text).not.toContain('Your time (');
  });

  it('sends anonymous readers to log in', async () => {
    const res = await request(t.app).get('/fair/agenda');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Ffair%2Fagenda');
  });
});

describe('outcomes after the fair', () => {
  it('are refused before the meeting has ended and for someone else\'s meeting', async () => {
    t.setNow(new Date(booked.startsAt.getTime() + 60_000));
    expect((await visitorAgent.get(`/fair/agenda/${String(booked._id)}/outcome`)).status).toBe(404);
    const early = await postForm(visitorAgent, `/fair/agenda/${String(booked._id)}/outcome`, { tookPlace: 'yes', followUp: 'talks' }, '/fair/agenda');
    expect(early.status).toBe(404);
    t.setNow(new Date(booked.endsAt.getTime() + 60_000));
    const stranger = await agentOf(other.email, other.password);
    expect((await stranger.get(`/fair/agenda/${String(booked._id)}/outcome`)).status).toBe(404);
    const forged = await postForm(stranger, `/fair/agenda/${String(booked._id)}/outcome`, { tookPlace: 'no' }, '/fair/agenda');
    expect(forged.status).toBe(404);
    expect((await Meeting.findById(booked._id).lean())!.outcomes).toHaveLength(0);
  });

  it('shows the form again with the input kept when it is incomplete, then records and changes it', async () => {
    t.setNow(new Date(booked.endsAt.getTime() + 3600_000));
    const path = `/fair/agenda/${String(booked._id)}/outcome`;
    const missing = await postForm(visitorAgent, path, { note: 'Good talk' }, '/fair/agenda');
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Say whether the meeting took place');
    expect(missing.text).toContain('Good talk');
    const noFollowUp = await postForm(visitorAgent, path, { tookPlace: 'yes', note: 'Samples next month' }, '/fair/agenda');
    expect(noFollowUp.status).toBe(422);
    expect(noFollowUp.text).toContain('Choose what followed the meeting');
    expect(noFollowUp.text).toContain('Samples next month');
    expect((await Meeting.findById(booked._id).lean())!.outcomes).toHaveLength(0);

    expect((await postForm(visitorAgent, path, { tookPlace: 'yes', followUp: 'nothing' }, '/fair/agenda')).status).toBe(303);
    expect((await postForm(visitorAgent, path, { tookPlace: 'yes', followUp: 'agreement', note: 'Signed a distribution deal' }, '/fair/agenda')).status).toBe(303);
    expect((await postForm(exhibitorAgent, path, { tookPlace: 'yes', followUp: 'talks' }, '/fair/agenda')).status).toBe(303);
    const stored = (await Meeting.findById(booked._id).lean<MeetingDoc>())!;
    expect(stored.outcomes).toHaveLength(2);
    const mine = stored.outcomes.find((o) => String(o.user) === visitor.id)!;
    expect(mine).toMatchObject({ tookPlace: true, followUp: 'agreement', note: 'Signed a distribution deal' });
    const page = await visitorAgent.get('/fair/agenda');
    expect(row(page.text, booked._id)).toContain('Agreement signed');
  });

  it('turns a good outcome into one best-practice draft of the SME', async () => {
    t.setNow(new Date(booked.endsAt.getTime() + 7200_000));
    const path = `/fair/agenda/${String(booked._id)}/practice`;
    const [first, second] = await Promise.all([postForm(visitorAgent, path, {}, '/fair/agenda'), postForm(visitorAgent, path, {}, '/fair/agenda')]);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    const drafts = await Practice.find({ author: new Types.ObjectId(visitor.id) }).lean();
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ status: 'draft', kind: 'business', member: 'DE' });
    expect(drafts[0]!.title).toContain('Siam Ceramics Co.');
    expect(first.headers.location).toBe(`/practices/${String(drafts[0]!._id)}/edit`);
    expect(second.headers.location).toBe(first.headers.location);
    expect((await visitorAgent.get(first.headers.location as string)).status).toBe(200);
    // Nobody else's meeting, and not without a good outcome.
    const stranger = await agentOf(other.email, other.password);
    expect((await postForm(stranger, path, {}, '/fair/agenda')).status).toBe(404);
  });
});

describe('the liaison\'s view', () => {
  it('shows the meetings of its member\'s SMEs with their outcomes, and nobody else\'s', async () => {
    const de = await makeUser({ role: 'liaison', member: 'DE' });
    const deAgent = await agentOf(de.email, de.password);
    const res = await deAgent.get('/fair/agenda/member');
    expect(res.status).toBe(200);
    expect(row(res.text, booked._id)).toContain('Berliner Werkzeug GmbH');
    expect(row(res.text, booked._id)).toContain('Agreement signed');
    expect(res.text).not.toContain(`data-meeting="${String(atBooth._id)}"`); // FR and TH only
    const fr = await makeUser({ role: 'liaison', member: 'FR' });
    const frView = await (await agentOf(fr.email, fr.password)).get('/fair/agenda/member');
    expect(frView.text).toContain(`data-meeting="${String(atBooth._id)}"`);
    expect(frView.text).not.toContain(`data-meeting="${String(booked._id)}"`);
    expect((await visitorAgent.get('/fair/agenda/member')).status).toBe(403);
  });
});

describe('the organizer\'s grid', () => {
  it('shows tables × slots, booth meetings apart and the free tables', async () => {
    const res = await organizer.get(`/admin/fair/meetings/grid?day=${DAY1}`);
    expect(res.status).toBe(200);
    const cell = new RegExp(`<td data-meeting="${String(booked._id)}">([\\s\\S]*?)</td>`).exec(res.text)![1]!;
    expect(cell).toContain('Berliner Werkzeug GmbH (DE)');
    expect(cell).toContain('Siam Ceramics Co. (TH)');
    expect(res.text).toMatch(/<th scope="row">10:00–10:30<\/th>\s*<td data-free="9">/);
    expect(res.text).toMatch(/<th scope="row">10:30–11:00<\/th>\s*<td data-free="10">/);
    expect(row(res.text, atBooth._id)).toContain('Booth A12');
    expect((await organizer.get('/admin/fair/meetings/grid?day=2030-01-01')).status).toBe(400);
    expect((await organizer.get('/admin/fair/meetings/grid?day=%3Cscript%3E')).status).toBe(400);
    for (const agent of [visitorAgent, exhibitorAgent]) expect((await agent.get('/admin/fair/meetings/grid')).status).toBe(403);
  });

  it('marks a participant absent only once the slot has started', async () => {
    t.setNow(new Date(atBooth.startsAt.getTime() - 60_000));
    const early = await postForm(organizer, `/admin/fair/meetings/${String(atBooth._id)}/no-show`, { user: other.id, absent: 'yes' }, '/admin/fair/meetings/grid');
    expect(early.status).toBe(409);
    expect((await Meeting.findById(atBooth._id).lean())!.noShow).toHaveLength(0);
    t.setNow(new Date(atBooth.startsAt.getTime() + 5 * 60_000));
    const marked = await postForm(organizer, `/admin/fair/meetings/${String(atBooth._id)}/no-show`, { user: other.id, absent: 'yes' }, '/admin/fair/meetings/grid');
    expect(marked.status).toBe(303);
    expect(marked.headers.location).toBe(`/admin/fair/meetings/grid?day=${DAY1}`);
    expect((await Meeting.findById(atBooth._id).lean())!.noShow.map(String)).toEqual([other.id]);
    // Someone who is not in the meeting, and members, cannot be marked / cannot mark.
    expect((await postForm(organizer, `/admin/fair/meetings/${String(atBooth._id)}/no-show`, { user: visitor.id, absent: 'yes' }, '/admin/fair/meetings/grid')).status).toBe(404);
    expect((await postForm(visitorAgent, `/admin/fair/meetings/${String(atBooth._id)}/no-show`, { user: other.id, absent: 'no' }, '/fair/agenda')).status).toBe(403);
    expect((await Meeting.findById(atBooth._id).lean())!.noShow).toHaveLength(1);
  });

  it('counts requested, accepted and held by member and by Asia–Europe pair', async () => {
    t.setNow(new Date(`${DAY2}T12:00:00Z`));
    const res = await organizer.get(`/admin/fair/meetings/grid?day=${DAY1}`);
    // Requests: DE→TH, FR→TH, DE→FR (cancelled later), FR→DE pending. Accepted: the three meetings.
    // Held: DE–TH (outcomes say so); not the booth meeting (FR absent) nor the cancelled one.
    expect(res.text).toMatch(/<tr data-total><th scope="row">All<\/th><td>4<\/td><td>3<\/td><td>1<\/td><\/tr>/);
    expect(res.text).toMatch(/<tr data-pair="asia-europe"><th scope="row">Asia–Europe<\/th><td>2<\/td><td>2<\/td><td>1<\/td><\/tr>/);
    expect(res.text).toMatch(/<tr data-pair="europe-europe"><th scope="row">Europe–Europe<\/th><td>2<\/td><td>1<\/td><td>0<\/td><\/tr>/);
    expect(res.text).toMatch(/<tr data-member="TH"><th scope="row">TH<\/th><td>2<\/td><td>2<\/td><td>1<\/td><\/tr>/);
    const figures = await organizer.get('/admin/figures');
    expect(figures.text).toContain('Meetings at the hall');
    const csv = await organizer.get('/admin/figures/meetings.csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('DE,Europe,3,2,1');
  });

  it('exports the meetings as CSV with a BOM and member names in English and Chinese', async () => {
    const res = await organizer.get(`/admin/fair/meetings/grid.csv?day=${DAY1}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toMatch(/^date,start,end,time_zone,table,booth,status,a_company,a_person,a_member,a_member_en,a_member_zh/);
    expect(lines).toHaveLength(3); // header + two meetings of the day
    const line = lines.find((l) => l.includes('Berliner Werkzeug GmbH'))!;
    expect(line).toContain(`${DAY1},10:00,10:30,Asia/Shanghai,3,,booked,Berliner Werkzeug GmbH`);
    expect(line).toContain('DE,Germany,德国');
    expect(line).toContain('TH,Thailand,泰国');
    expect((await exhibitorAgent.get('/admin/fair/meetings/grid.csv')).status).toBe(403);
  });
});
