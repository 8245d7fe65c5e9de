/**
 * The officials' mechanism over HTTP: an organizer creates a Senior Officials' Meeting; its .ics
 * files parse with an independent parser; a liaison registers a delegation before the deadline
 * (refused after it and after the lock); working documents in versions, officials-only (pages and
 * files 404 to SMEs and visitors), comments until a deadline, publishing into the library, one
 * e-mail per liaison per version; reminders claimed once.
 */
import * as nodeIcal from 'node-ical';
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { csrfToken, login, newAgent, postForm, type Agent } from '../../helpers/http';
import { pdfBytes } from '../../fixtures/files';
import { Delegation, DocumentComment, OfficialEvent, WorkingDocument } from '../../../src/modules/events/model';
import { Practice } from '../../../src/modules/practices/model';
import { eventsService } from '../../../src/modules/events/module';

jest.setTimeout(60_000);

const DAY = 24 * 3600 * 1000;

describe('events, delegations and working documents', () => {
  let t: TestApp;
  let organizer: Agent;
  let liaisonMY: Agent;
  let sme: Agent;
  const anon = () => newAgent(t.app);
  let eventId = '';
  let docId = '';
  const now = new Date('2027-03-01T09:00:00Z');

  beforeAll(async () => {
    t = await createTestApp();
    t.setNow(now);
    organizer = newAgent(t.app);
    await login(organizer, ORGANIZER.email, ORGANIZER.password);
    const l = await makeUser({ role: 'liaison', member: 'MY', company: false, language: 'zh-CN' });
    await makeUser({ role: 'liaison', member: 'DE', company: false });
    liaisonMY = newAgent(t.app);
    await login(liaisonMY, l.email, l.password);
    const m = await makeUser({ role: 'member', member: 'MY' });
    sme = newAgent(t.app);
    await login(sme, m.email, m.password);
  });
  afterAll(async () => {
    await t.close();
  });

  async function upload(agent: Agent, url: string, fields: Record<string, string>, file?: { bytes: Buffer; name: string }) {
    const token = await csrfToken(agent, '/events');
    let req = agent.post(`${url}?_csrf=${encodeURIComponent(token)}`);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    if (file) req = req.attach('file', file.bytes, { filename: file.name, contentType: 'application/pdf' });
    return req;
  }

  it('the organizer creates an officials-only meeting; bad input is refused with the form kept', async () => {
    const bad = await postForm(organizer, '/events/new', { kind: 'som', titleEn: 'SOM', titleZh: '高官会', startsOn: '2027-04-10', endsOn: '2027-04-09', timeZone: 'Asia/Kuala_Lumpur', hostMember: 'MY', city: 'Kuala Lumpur', visibility: 'officials' }, '/events/new');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="Kuala Lumpur"');
    expect(await OfficialEvent.countDocuments()).toBe(0);
    const res = await postForm(
      organizer,
      '/events/new',
      { kind: 'som', titleEn: "Senior Officials' Meeting 2027", titleZh: '2027年高官会议', startsOn: '2027-04-10', endsOn: '2027-04-11', timeZone: 'Asia/Kuala_Lumpur', hostMember: 'MY', city: 'Kuala Lumpur', venue: 'KLCC', visibility: 'officials', delegationDeadline: '2027-03-20' },
      '/events/new',
    );
    expect(res.status).toBe(303);
    eventId = /\/events\/([a-f0-9]{24})$/.exec(res.headers.location ?? '')![1]!;
    expect((await organizer.get(`/events/${eventId}`)).status).toBe(200);
    expect((await liaisonMY.get(`/events/${eventId}`)).status).toBe(200);
    expect((await sme.get(`/events/${eventId}`)).status).toBe(404);
    expect((await anon().get(`/events/${eventId}`)).status).toBe(404);
    expect((await anon().get(`/events/${eventId}.ics`)).status).toBe(404);
  });

  it('the .ics files parse: the public feed leaves the officials-only meeting out, the private feed has it', async () => {
    await postForm(organizer, '/events/new', { kind: 'ministerial', titleEn: 'Ministerial Meeting 2028', titleZh: '2028年部长会议', startsOn: '2028-05-03', endsOn: '2028-05-04', timeZone: 'Europe/Brussels', hostMember: 'BE', city: 'Brussels', visibility: 'public' }, '/events/new');
    const pub = await anon().get('/events.ics');
    expect(pub.status).toBe(200);
    expect(pub.headers['content-type']).toMatch(/text\/calendar/);
    const parsed = Object.values(nodeIcal.sync.parseICS(pub.text)).filter((c) => c?.type === 'VEVENT') as nodeIcal.VEvent[];
    const titles = parsed.map((e) => String(e.summary));
    expect(titles).toContain('Ministerial Meeting 2028');
    expect(titles).not.toContain("Senior Officials' Meeting 2027");
    const mm = parsed.find((e) => String(e.summary) === 'Ministerial Meeting 2028')!;
    expect(mm.start.toISOString().slice(0, 10)).toBe('2028-05-03');
    expect(mm.datetype).toBe('date');

    const page = await liaisonMY.get('/events');
    const feed = /\/events\/feed\/([A-Za-z0-9_-]+)\.ics/.exec(page.text)![0];
    const priv = await anon().get(feed);
    expect(priv.status).toBe(200);
    const privTitles = Object.values(nodeIcal.sync.parseICS(priv.text)).filter((c) => c?.type === 'VEVENT').map((e) => String((e as nodeIcal.VEvent).summary));
    expect(privTitles).toEqual(expect.arrayContaining(['2027年高官会议', '2028年部长会议'])); // the holder's language
    // A new address: the old one is 404.
    await postForm(liaisonMY, '/events/feed/regenerate', {}, '/events');
    expect((await anon().get(feed)).status).toBe(404);
    // An SME has no private feed.
    expect((await sme.get('/events')).text).not.toMatch(/\/events\/feed\//);

    const one = await liaisonMY.get(`/events/${eventId}.ics`);
    const ev = Object.values(nodeIcal.sync.parseICS(one.text)).find((c) => c?.type === 'VEVENT') as nodeIcal.VEvent;
    expect(ev.start.toISOString().slice(0, 10)).toBe('2027-04-10');
    expect(ev.end!.toISOString().slice(0, 10)).toBe('2027-04-12');
  });

  it('a liaison of Malaysia registers a delegation of two; the organizer sees 45 rows missing first, a CSV with BOM, and locks', async () => {
    expect((await sme.get(`/events/${eventId}/delegations`)).status).toBe(404);
    const empty = await postForm(liaisonMY, `/events/${eventId}/delegations`, { delegateName: ['', ''], arrival: '2027-04-09', departure: '2027-04-12' }, `/events/${eventId}/delegations`);
    expect(empty.status).toBe(422);
    const res = await postForm(
      liaisonMY,
      `/events/${eventId}/delegations`,
      { delegateName: ['Aminah Binti Hassan', 'Lim Wei Ming', ''], delegateTitle: ['Deputy Secretary-General', 'Director', ''], delegateAgency: ['MITI', 'SME Corp', ''], arrival: '2027-04-09', departure: '2027-04-12', needs: 'Halal meals' },
      `/events/${eventId}/delegations`,
    );
    expect(res.status).toBe(303);
    const saved = await Delegation.findOne({ member: 'MY' }).lean();
    expect(saved!.delegates.map((d) => d.name)).toEqual(['Aminah Binti Hassan', 'Lim Wei Ming']);
    expect(await postForm(sme, `/events/${eventId}/delegations`, { delegateName: 'X', arrival: '2027-04-09', departure: '2027-04-12' }, '/events').then((r) => r.status)).toBe(404);

    const list = await organizer.get(`/events/${eventId}/delegations`);
    expect(list.status).toBe(200);
    const rows = list.text.match(/<tr>\s*<th scope="row">/g) ?? [];
    expect(rows).toHaveLength(45);
    const firstRegistered = list.text.indexOf('status-ok');
    const lastMissing = list.text.lastIndexOf('status-bad');
    expect(lastMissing).toBeLessThan(firstRegistered);

    const csv = await organizer.get(`/events/${eventId}/delegations.csv`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('Aminah Binti Hassan,Deputy Secretary-General,MITI,2027-04-09,2027-04-12,Halal meals');
    expect(text.trim().split('\r\n')).toHaveLength(1 + 44 + 2);
    expect((await liaisonMY.get(`/events/${eventId}/delegations.csv`)).status).toBe(403);

    await postForm(organizer, `/events/${eventId}/delegations/lock`, {}, `/events/${eventId}/delegations`);
    const late = await postForm(liaisonMY, `/events/${eventId}/delegations`, { delegateName: 'Someone Else', arrival: '2027-04-09', departure: '2027-04-12' }, `/events/${eventId}/delegations`);
    expect(late.status).toBe(422);
    expect((await Delegation.findOne({ member: 'MY' }).lean())!.delegates).toHaveLength(2);
  });

  it('after the deadline a delegation is refused and nothing is stored', async () => {
    await OfficialEvent.updateOne({ _id: eventId }, { $set: { delegationsLockedAt: null } });
    t.setNow(new Date('2027-03-21T00:00:01Z'));
    const de = await makeUser({ role: 'liaison', member: 'FR', company: false });
    const agent = newAgent(t.app);
    await login(agent, de.email, de.password);
    const res = await postForm(agent, `/events/${eventId}/delegations`, { delegateName: 'Jean Dupont', arrival: '2027-04-09', departure: '2027-04-12' }, `/events/${eventId}/delegations`);
    expect(res.status).toBe(422);
    expect(await Delegation.countDocuments({ member: 'FR' })).toBe(0);
    t.setNow(now);
  });

  it('working documents: officials only, versions, comments until the deadline, one e-mail per liaison per version, publishing', async () => {
    await t.mailSettled();
    t.smtp.clear();
    const noFile = await upload(organizer, `/events/${eventId}/documents`, { kind: 'agenda', title: 'Draft agenda', commentDeadline: '2027-03-25' });
    expect(noFile.status).toBe(422);
    const badType = await upload(organizer, `/events/${eventId}/documents`, { kind: 'agenda', title: 'Draft agenda' }, { bytes: Buffer.from('MZ not a pdf at all'), name: 'agenda.pdf' });
    expect(badType.status).toBe(422);
    expect(await WorkingDocument.countDocuments()).toBe(0);

    const res = await upload(organizer, `/events/${eventId}/documents`, { kind: 'agenda', title: 'Draft agenda', commentDeadline: '2027-03-25', note: 'First draft' }, { bytes: pdfBytes(), name: 'agenda-v1.pdf' });
    expect(res.status).toBe(303);
    docId = /documents\/([a-f0-9]{24})$/.exec(res.headers.location ?? '')![1]!;
    await t.ctx.mailer.drained();
    await t.mailSettled();
    const liaisonMails = t.smtp.mails.filter((m) => m.subject.includes('Draft agenda'));
    expect(liaisonMails).toHaveLength(3); // the three reachable liaisons (MY, DE, FR), once each
    expect(liaisonMails.some((m) => m.subject.includes('新的工作文件'))).toBe(true); // in the Malaysian liaison's language

    for (const agent of [sme, anon()]) {
      expect((await agent.get(`/events/${eventId}/documents/${docId}`)).status).toBe(404);
      expect((await agent.get(`/events/${eventId}/documents/${docId}/v/1`)).status).toBe(404);
      expect((await agent.get(`/events/${eventId}/documents`)).status).toBe(404);
    }
    const file = await liaisonMY.get(`/events/${eventId}/documents/${docId}/v/1`);
    expect(file.status).toBe(200);

    const c = await postForm(liaisonMY, `/events/${eventId}/documents/${docId}/comments`, { version: '1', body: 'Please add an item on SME finance.' }, `/events/${eventId}/documents/${docId}`);
    expect(c.status).toBe(303);
    expect(await DocumentComment.countDocuments({ version: 1 })).toBe(1);

    const v2 = await upload(organizer, `/events/${eventId}/documents/${docId}/versions`, { note: 'SME finance added' }, { bytes: pdfBytes(), name: 'agenda-v2.pdf' });
    expect(v2.status).toBe(303);
    const doc = await WorkingDocument.findById(docId).lean();
    expect(doc!.versions.map((v) => v.number)).toEqual([1, 2]);

    t.setNow(new Date('2027-03-26T00:00:00Z'));
    const late = await postForm(liaisonMY, `/events/${eventId}/documents/${docId}/comments`, { version: '2', body: 'Too late' }, `/events/${eventId}/documents/${docId}`);
    expect(late.status).toBe(422);
    expect(await DocumentComment.countDocuments()).toBe(1);
    t.setNow(now);

    const pub = await postForm(organizer, `/events/${eventId}/documents/${docId}/publish`, { version: '2', summary: 'The agreed agenda of the SOM.' }, `/events/${eventId}/documents/${docId}`);
    expect(pub.status).toBe(303);
    const practice = await Practice.findOne({ title: 'Draft agenda' }).lean();
    expect(practice).toMatchObject({ kind: 'policy', status: 'published', member: 'MY' });
    // Published: the event page itself is still officials-only, so its documents stay 404 to others.
    expect((await sme.get(`/events/${eventId}/documents/${docId}`)).status).toBe(404);
    expect((await anon().get(`/practices/${String(practice!._id)}`)).status).toBe(200);
  });

  it('delegation reminders 14 and 3 days before the deadline go once, to liaisons of members missing', async () => {
    await t.mailSettled();
    t.smtp.clear();
    const service = eventsService(t.ctx);
    t.setNow(new Date(new Date('2027-03-20T23:59:59.999Z').getTime() - 13 * DAY));
    const first = await service.sendDueReminders();
    const again = await service.sendDueReminders();
    expect(first).toBe(2); // the liaisons of DE and FR; MY has registered
    expect(again).toBe(0);
    t.setNow(new Date(new Date('2027-03-20T23:59:59.999Z').getTime() - 2 * DAY));
    expect(await service.sendDueReminders()).toBeGreaterThan(0);
    expect(await service.sendDueReminders()).toBe(0);
    t.setNow(now);
  });
});
