/**
 * The desk over HTTP: the first page after login; each role sees what waits for it (from the
 * modules' own lists), oldest first with its age and action, and it empties as things are done; the
 * header badge is its count; the opt-in daily digest goes only on days with something new, once per
 * day even when two runs race, and its one-click unsubscribe works without a session.
 */
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { OutboxMail } from '../../../src/web/mail';
import { portalModules } from '../../../src/modules';
import { createDeskService } from '../../../src/modules/desk/module';

jest.setTimeout(60_000);

function badge(html: string): number {
  const m = /href="\/desk"[^>]*>[^<]*<span class="badge desk-badge"[^>]*>(\d+)</.exec(html);
  return m ? Number(m[1]) : 0;
}

describe('the desk', () => {
  let t: TestApp;
  let organizer: Agent;
  let liaison: Agent;
  let liaisonEmail = '';
  let eventId = '';
  const now = new Date('2027-03-01T09:00:00Z');

  beforeAll(async () => {
    t = await createTestApp();
    t.setNow(now);
    organizer = newAgent(t.app);
    await login(organizer, ORGANIZER.email, ORGANIZER.password);
    const l = await makeUser({ role: 'liaison', member: 'MY', company: false });
    liaisonEmail = l.email;
    liaison = newAgent(t.app);
    const res = await postForm(liaison, '/login', { email: l.email, password: l.password });
    expect(res.headers.location).toBe('/desk'); // the first page after login
  });
  afterAll(async () => {
    await t.close();
  });

  it('is for signed-in people only', async () => {
    const res = await newAgent(t.app).get('/desk');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\?next=%2Fdesk/);
  });

  it('shows a liaison the delegation due and the organizer the delegations missing; both empty as they are done', async () => {
    expect((await liaison.get('/desk')).text).toContain('Nothing waits for you');
    const created = await postForm(
      organizer,
      '/events/new',
      { kind: 'som', titleEn: 'SOM 2027', titleZh: '2027年高官会议', startsOn: '2027-04-10', endsOn: '2027-04-11', timeZone: 'Asia/Kuala_Lumpur', hostMember: 'MY', city: 'Kuala Lumpur', visibility: 'officials', delegationDeadline: '2027-03-20' },
      '/events/new',
    );
    eventId = /\/events\/([a-f0-9]{24})$/.exec(created.headers.location ?? '')![1]!;
    t.setNow(new Date(now.getTime() + 3 * 86_400_000));

    const desk = await liaison.get('/desk');
    expect(desk.text).toContain('Register your delegation for SOM 2027');
    expect(desk.text).toContain('3 days');
    expect(desk.text).toContain(`href="/events/${eventId}/delegations"`);
    expect(badge(desk.text)).toBe(1);

    const org = await organizer.get('/desk');
    expect(org.text).toMatch(/45 members have not registered a delegation for SOM 2027/);
    const before = badge(org.text);

    await postForm(liaison, `/events/${eventId}/delegations`, { delegateName: ['Aminah', 'Lim'], arrival: '2027-04-09', departure: '2027-04-12' }, `/events/${eventId}/delegations`);
    const after = await liaison.get('/desk');
    expect(after.text).toContain('Nothing waits for you');
    expect(badge(after.text)).toBe(0);
    expect((await organizer.get('/desk')).text).toMatch(/44 members have not registered/);

    await postForm(organizer, `/events/${eventId}/delegations/lock`, {}, `/events/${eventId}/delegations`);
    const locked = await organizer.get('/desk');
    expect(locked.text).not.toMatch(/have not registered/);
    expect(badge(locked.text)).toBe(before - 1);
  });

  it('shows the organizer mail that failed, oldest first, and it leaves the desk once sent again', async () => {
    const older = await OutboxMail.create({ message: { to: 'gone@example.org', subject: 'Old one', text: 'x', html: 'x' }, status: 'failed', attempts: 10, nextAttemptAt: now, createdAt: new Date('2027-02-01T00:00:00Z') });
    await OutboxMail.create({ message: { to: 'gone2@example.org', subject: 'New one', text: 'x', html: 'x' }, status: 'failed', attempts: 10, nextAttemptAt: now, createdAt: new Date('2027-02-20T00:00:00Z') });
    const desk = await organizer.get('/desk');
    const a = desk.text.indexOf('gone@example.org');
    const b = desk.text.indexOf('gone2@example.org');
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    await postForm(organizer, `/admin/mail/${String(older._id)}/retry`, {}, '/admin/mail');
    await t.ctx.mailer.drained();
    expect((await organizer.get('/desk')).text).not.toContain('gone@example.org');
    await OutboxMail.deleteMany({ status: 'failed' });
  });

  it('sends the opt-in digest once a day, only when something is new, with a one-click unsubscribe', async () => {
    const desk = createDeskService({ ctx: t.ctx, sources: () => portalModules, mailer: t.ctx.mailer, clock: t.ctx.now, baseUrl: 'http://portal.test', secret: t.config.sessionSecret });
    await postForm(liaison, '/desk/digest', { digest: 'on' }, '/desk');
    t.setNow(new Date(now.getTime() + 4 * 86_400_000));
    // Something new for the liaison: a new meeting with a registration.
    await postForm(
      organizer,
      '/events/new',
      { kind: 'ministerial', titleEn: 'AMM 2028', titleZh: '2028年部长会议', startsOn: '2028-05-03', endsOn: '2028-05-04', timeZone: 'Europe/Brussels', hostMember: 'BE', city: 'Brussels', visibility: 'officials', delegationDeadline: '2028-04-01' },
      '/events/new',
    );
    t.setNow(new Date(now.getTime() + 5 * 86_400_000));
    await t.mailSettled();
    t.smtp.clear();
    const [a, b] = await Promise.all([desk.sendDigests(), desk.sendDigests()]);
    expect(a + b).toBe(1);
    await t.ctx.mailer.drained();
    const mail = await t.smtp.waitFor((m) => m.to.includes(liaisonEmail) && /Your desk/.test(m.subject));
    expect(mail.text).toContain('AMM 2028');
    expect(JSON.stringify(mail.headers.get('list') ?? mail.headers.get('list-unsubscribe'))).toContain('http://portal.test/desk/unsubscribe?token=');
    // The next day nothing new: no mail.
    t.setNow(new Date(now.getTime() + 6 * 86_400_000));
    expect(await desk.sendDigests()).toBe(0);

    const url = /http:\/\/portal\.test(\/desk\/unsubscribe\?token=[^\s>"]+)/.exec(mail.text)![1]!;
    const res = await newAgent(t.app).post(url);
    expect(res.status).toBe(200);
    expect((await liaison.get('/desk')).text).not.toMatch(/name="digest" value="on" checked/);
    expect((await newAgent(t.app).post('/desk/unsubscribe?token=abc.def')).status).toBe(404);
  });
});
